//! GitHub's JSON (REST and GraphQL shapes) into evidence types. A record
//! missing what it must have, or holding it in another type, is skipped
//! with the reason (`Err`), never a panic and never silently: collectors
//! count the reasons in the source's provenance and mark it incomplete.

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::Value;

use crate::evidence::{
    Actor, GitHubRelease, Item, ItemKind, Response, ResponseKind, Tag, TagKind, WorkflowRun,
};

/// Why a record was skipped: names the field and what is wrong with it.
pub type Skip = String;

fn shape(v: &Value, field: &str) -> Skip {
    match v.get(field) {
        None | Some(Value::Null) => format!("no `{field}`"),
        Some(Value::String(_)) => format!("`{field}` is not a valid value"),
        Some(Value::Number(_)) => format!("`{field}` is a number"),
        Some(Value::Bool(_)) => format!("`{field}` is a boolean"),
        Some(Value::Array(_)) => format!("`{field}` is a list"),
        Some(Value::Object(_)) => format!("`{field}` is an object"),
    }
}

fn req_str<'a>(v: &'a Value, field: &str) -> Result<&'a str, Skip> {
    v.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| shape(v, field))
}

fn req_u64(v: &Value, field: &str) -> Result<u64, Skip> {
    v.get(field)
        .and_then(Value::as_u64)
        .ok_or_else(|| shape(v, field))
}

fn req_time(v: &Value, field: &str) -> Result<DateTime<Utc>, Skip> {
    opt_time(v, field)?.ok_or_else(|| shape(v, field))
}

/// A time that may be absent or null; any other value must be an RFC 3339 string.
fn opt_time(v: &Value, field: &str) -> Result<Option<DateTime<Utc>>, Skip> {
    Ok(opt_time_local(v, field)?.map(|t| t.with_timezone(&Utc)))
}

fn opt_time_local(v: &Value, field: &str) -> Result<Option<DateTime<FixedOffset>>, Skip> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(Some)
            .map_err(|_| format!("`{field}` is not a date")),
        Some(_) => Err(shape(v, field)),
    }
}

/// A flag that may be absent or null (false); any other value must be a boolean.
fn opt_bool(v: &Value, field: &str) -> Result<bool, Skip> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(shape(v, field)),
    }
}

/// Text that may be absent or null; any other value must be a string.
fn opt_str(v: &Value, field: &str) -> Result<Option<String>, Skip> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(shape(v, field)),
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn object(v: &Value) -> Result<(), Skip> {
    if v.is_object() {
        Ok(())
    } else if v.is_null() {
        Err("the record is null".into())
    } else {
        Err("the record is not an object".into())
    }
}

/// A REST `user` object (`{login, type}`) or a GraphQL `author` (`{login, __typename}`).
fn actor(v: &Value) -> Option<Actor> {
    let login = v.get("login")?.as_str()?.to_string();
    let kind = v
        .get("type")
        .or_else(|| v.get("__typename"))
        .and_then(Value::as_str)
        .unwrap_or("User")
        .to_string();
    Some(Actor { login, kind })
}

/// A REST release.
///
/// # Errors
/// What the record lacks, or holds in another type.
pub fn release(v: &Value) -> Result<GitHubRelease, Skip> {
    object(v)?;
    Ok(GitHubRelease {
        tag: req_str(v, "tag_name")?.to_string(),
        published_at: opt_time_local(v, "published_at")?,
        draft: opt_bool(v, "draft")?,
        prerelease: opt_bool(v, "prerelease")?,
        url: v["html_url"].as_str().map(str::to_string),
    })
}

/// A GraphQL `refs(refPrefix: "refs/tags/")` node: `Ok(None)` for a tag of
/// a tree or a blob, which has no date.
///
/// # Errors
/// What the node lacks, or holds in another type.
pub fn graphql_tag(v: &Value) -> Result<Option<Tag>, Skip> {
    object(v)?;
    let name = req_str(v, "name")?.to_string();
    let target = &v["target"];
    match req_str(target, "__typename").map_err(|e| format!("target: {e}"))? {
        "Tag" => {
            let inner = &target["target"];
            let commit =
                (inner["__typename"].as_str() == Some("Commit")).then(|| text(&inner["oid"]));
            let tagged = opt_time_local(&target["tagger"], "date")?;
            let date = match tagged {
                Some(d) => d,
                None => opt_time_local(inner, "committedDate")?
                    .ok_or_else(|| "no `tagger.date` nor `committedDate`".to_string())?,
            };
            Ok(Some(Tag {
                name,
                date,
                kind: TagKind::Annotated,
                commit,
                shares_history: None,
            }))
        }
        "Commit" => Ok(Some(Tag {
            name,
            date: opt_time_local(target, "committedDate")?
                .ok_or_else(|| shape(target, "committedDate"))?,
            kind: TagKind::Lightweight,
            commit: Some(text(&target["oid"])),
            shares_history: None,
        })),
        _ => Ok(None),
    }
}

/// The responses of a GraphQL connection, and whether they are all there:
/// a node that is null or without a time (a `FORBIDDEN` answer) makes the
/// list incomplete, like responses beyond the ones fetched.
fn graphql_responses(conn: &Value, kind: ResponseKind) -> (Vec<Response>, bool) {
    let nodes = conn["nodes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let responses: Vec<Response> = nodes
        .iter()
        .filter_map(|n| {
            let at = match opt_time(n, "submittedAt") {
                Ok(Some(t)) => t,
                _ => req_time(n, "createdAt").ok()?,
            };
            Some(Response {
                at,
                actor: actor(&n["author"]),
                author_association: text(&n["authorAssociation"]),
                kind,
            })
        })
        .collect();
    let total = conn["totalCount"].as_u64().unwrap_or(0);
    let complete = total <= nodes.len() as u64 && responses.len() == nodes.len();
    (responses, complete)
}

fn labels(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["name"].as_str().map(str::to_string))
        .collect()
}

/// A GraphQL issue or pull request node.
///
/// # Errors
/// What the node lacks, or holds in another type.
pub fn graphql_item(v: &Value, kind: ItemKind) -> Result<Item, Skip> {
    object(v)?;
    let (mut responses, mut complete) = graphql_responses(&v["comments"], ResponseKind::Comment);
    if kind == ItemKind::PullRequest {
        let (reviews, reviews_complete) = graphql_responses(&v["reviews"], ResponseKind::Review);
        responses.extend(reviews);
        complete &= reviews_complete;
    }
    responses.sort_by_key(|r| r.at);
    Ok(Item {
        number: req_u64(v, "number")?,
        kind,
        title: text(&v["title"]),
        url: text(&v["url"]),
        author: actor(&v["author"]),
        author_association: text(&v["authorAssociation"]),
        created_at: req_time(v, "createdAt")?,
        closed_at: opt_time(v, "closedAt")?,
        merged_at: opt_time(v, "mergedAt")?,
        labels: labels(&v["labels"]["nodes"]),
        responses,
        responses_complete: complete,
    })
}

/// A GraphQL connection's next cursor: `Ok(None)` at the last page.
///
/// # Errors
/// A `pageInfo` that cannot be followed: `hasNextPage` that is not a
/// boolean, or true without an `endCursor` string.
pub fn next_cursor(connection: &Value) -> Result<Option<String>, Skip> {
    let info = &connection["pageInfo"];
    match info.get("hasNextPage") {
        Some(Value::Bool(false)) => Ok(None),
        Some(Value::Bool(true)) => req_str(info, "endCursor")
            .map(|c| Some(c.to_string()))
            .map_err(|e| format!("pageInfo says there is a next page but has {e}")),
        _ => Err(format!("pageInfo: {}", shape(info, "hasNextPage"))),
    }
}

/// A REST issue (a pull request when it has a `pull_request` key).
///
/// # Errors
/// What the record lacks, or holds in another type.
pub fn rest_item(v: &Value) -> Result<Item, Skip> {
    object(v)?;
    let pr = v.get("pull_request").filter(|p| !p.is_null());
    Ok(Item {
        number: req_u64(v, "number")?,
        kind: if pr.is_some() {
            ItemKind::PullRequest
        } else {
            ItemKind::Issue
        },
        title: text(&v["title"]),
        url: text(&v["html_url"]),
        author: actor(&v["user"]),
        author_association: text(&v["author_association"]),
        created_at: req_time(v, "created_at")?,
        closed_at: opt_time(v, "closed_at")?,
        merged_at: match pr {
            Some(p) => opt_time(p, "merged_at").map_err(|e| format!("pull_request: {e}"))?,
            None => None,
        },
        labels: labels(&v["labels"]),
        responses: Vec::new(),
        responses_complete: true,
    })
}

/// A REST issue comment or review comment, with the number of the item it belongs to.
///
/// # Errors
/// What the record lacks, or holds in another type.
pub fn rest_comment(v: &Value) -> Result<(u64, Response), Skip> {
    object(v)?;
    let (url, kind) = match v.get("pull_request_url").and_then(Value::as_str) {
        Some(u) => (u, ResponseKind::ReviewComment),
        None => (req_str(v, "issue_url")?, ResponseKind::Comment),
    };
    let number = url
        .rsplit('/')
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| "its item URL does not end in a number".to_string())?;
    Ok((
        number,
        Response {
            at: req_time(v, "created_at")?,
            actor: actor(&v["user"]),
            author_association: text(&v["author_association"]),
            kind,
        },
    ))
}

/// A REST workflow run (`GET /repos/{o}/{r}/actions/runs`). Old answers
/// lack `name`, `run_attempt` and `run_started_at`: the workflow is then
/// named by its id, and the attempt is the first.
///
/// # Errors
/// What the record lacks, or holds in another type.
pub fn workflow_run(v: &Value) -> Result<WorkflowRun, Skip> {
    object(v)?;
    let workflow_id = req_u64(v, "workflow_id")?;
    let run_attempt = match v.get("run_attempt") {
        None | Some(Value::Null) => 1,
        Some(a) => a
            .as_u64()
            .and_then(|a| u32::try_from(a).ok())
            .ok_or_else(|| shape(v, "run_attempt"))?,
    };
    Ok(WorkflowRun {
        id: req_u64(v, "id")?,
        workflow: opt_str(v, "name")?.unwrap_or_else(|| format!("workflow {workflow_id}")),
        workflow_id,
        head_sha: req_str(v, "head_sha")?.to_string(),
        head_branch: opt_str(v, "head_branch")?,
        event: req_str(v, "event")?.to_string(),
        status: req_str(v, "status")?.to_string(),
        conclusion: opt_str(v, "conclusion")?,
        run_attempt,
        created_at: req_time(v, "created_at")?,
        run_started_at: opt_time(v, "run_started_at")?,
        updated_at: req_time(v, "updated_at")?,
        url: text(&v["html_url"]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rest_shapes() {
        let issue = json!({"number": 7, "title": "t", "html_url": "https://github.com/o/r/issues/7", "user": {"login": "a", "type": "User"},
            "author_association": "NONE", "created_at": "2026-01-01T00:00:00Z", "closed_at": null, "labels": [{"name": "bug"}]});
        let i = rest_item(&issue).unwrap();
        assert_eq!(
            (i.number, i.kind, i.labels.clone()),
            (7, ItemKind::Issue, vec!["bug".to_string()])
        );
        let pr = json!({"number": 8, "user": null, "created_at": "2026-01-01T00:00:00Z", "pull_request": {"merged_at": "2026-01-03T00:00:00Z"}});
        let pull = rest_item(&pr).unwrap();
        assert_eq!(pull.kind, ItemKind::PullRequest);
        assert!(pull.author.is_none() && pull.merged_at.is_some());
        let comment = json!({"issue_url": "https://api.github.com/repos/o/r/issues/7", "created_at": "2026-01-02T00:00:00Z",
            "user": {"login": "bot[bot]", "type": "Bot"}, "author_association": "NONE"});
        let (number, response) = rest_comment(&comment).unwrap();
        assert_eq!(
            (number, response.kind, response.actor.unwrap().kind),
            (7, ResponseKind::Comment, "Bot".to_string())
        );
        let rc = json!({"pull_request_url": "https://api.github.com/repos/o/r/pulls/8", "created_at": "2026-01-02T00:00:00Z", "user": {"login": "m", "type": "User"}, "author_association": "MEMBER"});
        assert_eq!(
            rest_comment(&rc).unwrap().1.kind,
            ResponseKind::ReviewComment
        );
        assert_eq!(
            rest_item(&json!({"title": "no number"})).unwrap_err(),
            "no `number`"
        );
    }

    #[test]
    fn graphql_shapes_and_truncated_responses() {
        let node = json!({"number": 3, "title": "x", "url": "u", "createdAt": "2026-01-01T00:00:00Z", "closedAt": null, "mergedAt": null,
            "authorAssociation": "CONTRIBUTOR", "author": {"login": "a", "__typename": "User"}, "labels": {"nodes": []},
            "comments": {"totalCount": 12, "nodes": [{"createdAt": "2026-01-02T00:00:00Z", "authorAssociation": "MEMBER", "author": {"login": "m", "__typename": "User"}}]},
            "reviews": {"totalCount": 1, "nodes": [{"submittedAt": "2026-01-01T05:00:00Z", "createdAt": "2026-01-01T04:00:00Z", "authorAssociation": "OWNER", "author": null}]}});
        let i = graphql_item(&node, ItemKind::PullRequest).unwrap();
        assert!(!i.responses_complete, "12 comments exist, 1 was fetched");
        assert_eq!(i.responses[0].kind, ResponseKind::Review);
        assert_eq!(i.responses[0].at.to_rfc3339(), "2026-01-01T05:00:00+00:00");
        let tag = json!({"name": "v1.0", "target": {"__typename": "Tag", "oid": "t", "tagger": {"date": "2026-02-01T08:30:00-05:00"}, "target": {"__typename": "Commit", "oid": "c", "committedDate": "2026-01-01T00:00:00Z"}}});
        let t = graphql_tag(&tag).unwrap().unwrap();
        assert_eq!(
            (t.date.to_rfc3339().as_str(), t.commit.as_deref()),
            ("2026-02-01T08:30:00-05:00", Some("c"))
        );
        let light = json!({"name": "v1.1", "target": {"__typename": "Commit", "oid": "c2", "committedDate": "2026-03-01T00:00:00Z"}});
        assert_eq!(
            graphql_tag(&light).unwrap().unwrap().kind,
            TagKind::Lightweight
        );
        assert_eq!(
            graphql_tag(&json!({"name": "tree", "target": {"__typename": "Tree"}})),
            Ok(None)
        );
    }

    /// Wrong types are skipped with a reason that names the field; null optional fields are not.
    #[test]
    fn wrong_types_are_skipped_with_the_reason() {
        let rel = |extra: Value| {
            let mut v = json!({"tag_name": "v1", "published_at": "2026-01-01T00:00:00Z", "draft": false, "prerelease": false});
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            release(&v)
        };
        assert_eq!(
            rel(json!({"tag_name": 5})).unwrap_err(),
            "`tag_name` is a number"
        );
        assert_eq!(
            rel(json!({"published_at": 1_767_225_600})).unwrap_err(),
            "`published_at` is a number"
        );
        assert_eq!(
            rel(json!({"published_at": "yesterday"})).unwrap_err(),
            "`published_at` is not a date"
        );
        assert!(
            rel(json!({"published_at": null}))
                .unwrap()
                .published_at
                .is_none()
        );
        let run = json!({"id": "50001", "workflow_id": 1, "head_sha": "a", "event": "push", "status": "completed", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"});
        assert_eq!(workflow_run(&run).unwrap_err(), "`id` is not a valid value");
        let mut run = run;
        run["id"] = json!(50001);
        run["created_at"] = Value::Null;
        assert_eq!(workflow_run(&run).unwrap_err(), "no `created_at`");
        assert_eq!(release(&json!(null)).unwrap_err(), "the record is null");
        assert_eq!(
            next_cursor(&json!({"pageInfo": {"hasNextPage": "yes", "endCursor": "c"}}))
                .unwrap_err(),
            "pageInfo: `hasNextPage` is not a valid value"
        );
        assert!(
            next_cursor(&json!({"pageInfo": {"hasNextPage": true, "endCursor": null}})).is_err()
        );
        assert_eq!(
            next_cursor(&json!({"pageInfo": {"hasNextPage": true, "endCursor": "c"}})),
            Ok(Some("c".into()))
        );
        assert_eq!(
            next_cursor(&json!({"pageInfo": {"hasNextPage": false}})),
            Ok(None)
        );
    }

    /// A recorded real answer (PyGithub's, 2020: no `name`, `run_attempt`
    /// or `run_started_at` yet) and a current one both parse.
    #[test]
    fn workflow_run_shapes() {
        let old = json!({"id": 110_932_306, "head_branch": "master", "head_sha": "7abf600480089550b4224aa97004367c2fa25b38",
            "run_number": 122, "event": "push", "status": "completed", "conclusion": "success", "workflow_id": 1_026_390,
            "html_url": "https://github.com/PyGithub/PyGithub/actions/runs/110932306", "pull_requests": [],
            "created_at": "2020-05-20T23:59:37Z", "updated_at": "2020-05-21T00:02:14Z"});
        let r = workflow_run(&old).unwrap();
        assert_eq!(
            (r.workflow.as_str(), r.run_attempt, r.run_started_at),
            ("workflow 1026390", 1, None)
        );
        assert_eq!(r.conclusion.as_deref(), Some("success"));
        let new = json!({"id": 5, "name": "CI", "workflow_id": 9, "head_sha": "abc", "head_branch": "main", "event": "schedule",
            "status": "in_progress", "conclusion": null, "run_attempt": 3, "created_at": "2026-01-01T00:00:00Z",
            "run_started_at": "2026-01-01T01:00:00Z", "updated_at": "2026-01-01T01:30:00Z", "html_url": "u"});
        let r = workflow_run(&new).unwrap();
        assert_eq!((r.workflow.as_str(), r.run_attempt), ("CI", 3));
        assert!(r.conclusion.is_none() && r.run_started_at.is_some());
        assert!(workflow_run(&json!({"id": 1})).is_err());
    }
}
