//! GitHub's JSON (REST and GraphQL shapes) into evidence types. A record
//! missing what it must have is skipped (`None`), never a panic.

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::Value;

use crate::evidence::{
    Actor, GitHubRelease, Item, ItemKind, Response, ResponseKind, Tag, TagKind, WorkflowRun,
};

fn time(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn time_local(v: &Value) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(v.as_str()?).ok()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
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
pub fn release(v: &Value) -> Option<GitHubRelease> {
    Some(GitHubRelease {
        tag: v.get("tag_name")?.as_str()?.to_string(),
        published_at: time_local(&v["published_at"]),
        draft: v["draft"].as_bool().unwrap_or(false),
        prerelease: v["prerelease"].as_bool().unwrap_or(false),
        url: v["html_url"].as_str().map(str::to_string),
    })
}

/// A GraphQL `refs(refPrefix: "refs/tags/")` node.
pub fn graphql_tag(v: &Value) -> Option<Tag> {
    let target = &v["target"];
    let name = v["name"].as_str()?.to_string();
    match target["__typename"].as_str()? {
        "Tag" => {
            let inner = &target["target"];
            let commit =
                (inner["__typename"].as_str() == Some("Commit")).then(|| text(&inner["oid"]));
            let date = time_local(&target["tagger"]["date"])
                .or_else(|| time_local(&inner["committedDate"]))?;
            Some(Tag {
                name,
                date,
                kind: TagKind::Annotated,
                commit,
                shares_history: None,
            })
        }
        "Commit" => Some(Tag {
            name,
            date: time_local(&target["committedDate"])?,
            kind: TagKind::Lightweight,
            commit: Some(text(&target["oid"])),
            shares_history: None,
        }),
        _ => None,
    }
}

fn graphql_responses(conn: &Value, kind: ResponseKind) -> (Vec<Response>, bool) {
    let nodes = conn["nodes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let responses: Vec<Response> = nodes
        .iter()
        .filter_map(|n| {
            Some(Response {
                at: time(&n["submittedAt"]).or_else(|| time(&n["createdAt"]))?,
                actor: actor(&n["author"]),
                author_association: text(&n["authorAssociation"]),
                kind,
            })
        })
        .collect();
    let total = conn["totalCount"].as_u64().unwrap_or(0);
    let complete = total <= nodes.len() as u64;
    (responses, complete)
}

/// A GraphQL issue or pull request node.
pub fn graphql_item(v: &Value, kind: ItemKind) -> Option<Item> {
    let (mut responses, mut complete) = graphql_responses(&v["comments"], ResponseKind::Comment);
    if kind == ItemKind::PullRequest {
        let (reviews, reviews_complete) = graphql_responses(&v["reviews"], ResponseKind::Review);
        responses.extend(reviews);
        complete &= reviews_complete;
    }
    responses.sort_by_key(|r| r.at);
    Some(Item {
        number: v["number"].as_u64()?,
        kind,
        title: text(&v["title"]),
        url: text(&v["url"]),
        author: actor(&v["author"]),
        author_association: text(&v["authorAssociation"]),
        created_at: time(&v["createdAt"])?,
        closed_at: time(&v["closedAt"]),
        merged_at: time(&v["mergedAt"]),
        labels: v["labels"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["name"].as_str().map(str::to_string))
            .collect(),
        responses,
        responses_complete: complete,
    })
}

/// A REST issue (a pull request when it has a `pull_request` key).
pub fn rest_item(v: &Value) -> Option<Item> {
    let pr = v.get("pull_request").filter(|p| !p.is_null());
    Some(Item {
        number: v["number"].as_u64()?,
        kind: if pr.is_some() {
            ItemKind::PullRequest
        } else {
            ItemKind::Issue
        },
        title: text(&v["title"]),
        url: text(&v["html_url"]),
        author: actor(&v["user"]),
        author_association: text(&v["author_association"]),
        created_at: time(&v["created_at"])?,
        closed_at: time(&v["closed_at"]),
        merged_at: pr.and_then(|p| time(&p["merged_at"])),
        labels: v["labels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["name"].as_str().map(str::to_string))
            .collect(),
        responses: Vec::new(),
        responses_complete: true,
    })
}

/// A REST issue comment or review comment, with the number of the item it belongs to.
pub fn rest_comment(v: &Value) -> Option<(u64, Response)> {
    let (url, kind) = match v.get("pull_request_url").and_then(Value::as_str) {
        Some(u) => (u, ResponseKind::ReviewComment),
        None => (v.get("issue_url")?.as_str()?, ResponseKind::Comment),
    };
    let number = url.rsplit('/').next()?.parse().ok()?;
    Some((
        number,
        Response {
            at: time(&v["created_at"])?,
            actor: actor(&v["user"]),
            author_association: text(&v["author_association"]),
            kind,
        },
    ))
}

/// A REST workflow run (`GET /repos/{o}/{r}/actions/runs`). Old answers
/// lack `name`, `run_attempt` and `run_started_at`: the workflow is then
/// named by its id, and the attempt is the first.
pub fn workflow_run(v: &Value) -> Option<WorkflowRun> {
    let workflow_id = v["workflow_id"].as_u64()?;
    Some(WorkflowRun {
        id: v["id"].as_u64()?,
        workflow: v["name"]
            .as_str()
            .map_or_else(|| format!("workflow {workflow_id}"), str::to_string),
        workflow_id,
        head_sha: v["head_sha"].as_str()?.to_string(),
        head_branch: v["head_branch"].as_str().map(str::to_string),
        event: text(&v["event"]),
        status: text(&v["status"]),
        conclusion: v["conclusion"].as_str().map(str::to_string),
        run_attempt: v["run_attempt"]
            .as_u64()
            .and_then(|a| u32::try_from(a).ok())
            .unwrap_or(1),
        created_at: time(&v["created_at"])?,
        run_started_at: time(&v["run_started_at"]),
        updated_at: time(&v["updated_at"])?,
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
        let p = rest_item(&pr).unwrap();
        assert_eq!(p.kind, ItemKind::PullRequest);
        assert!(p.author.is_none() && p.merged_at.is_some());
        let c = json!({"issue_url": "https://api.github.com/repos/o/r/issues/7", "created_at": "2026-01-02T00:00:00Z",
            "user": {"login": "bot[bot]", "type": "Bot"}, "author_association": "NONE"});
        let (n, r) = rest_comment(&c).unwrap();
        assert_eq!(
            (n, r.kind, r.actor.unwrap().kind),
            (7, ResponseKind::Comment, "Bot".to_string())
        );
        let rc = json!({"pull_request_url": "https://api.github.com/repos/o/r/pulls/8", "created_at": "2026-01-02T00:00:00Z", "user": {"login": "m", "type": "User"}, "author_association": "MEMBER"});
        assert_eq!(
            rest_comment(&rc).unwrap().1.kind,
            ResponseKind::ReviewComment
        );
        assert!(rest_item(&json!({"title": "no number"})).is_none());
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
        let t = graphql_tag(&tag).unwrap();
        assert_eq!(
            (t.date.to_rfc3339().as_str(), t.commit.as_deref()),
            ("2026-02-01T08:30:00-05:00", Some("c"))
        );
        let light = json!({"name": "v1.1", "target": {"__typename": "Commit", "oid": "c2", "committedDate": "2026-03-01T00:00:00Z"}});
        assert_eq!(graphql_tag(&light).unwrap().kind, TagKind::Lightweight);
        assert!(graphql_tag(&json!({"name": "tree", "target": {"__typename": "Tree"}})).is_none());
    }

    /// A recorded real answer (PyGithub's, 2020: no `name`, `run_attempt`
    /// or `run_started_at` yet) and a current one both parse.
    #[test]
    fn workflow_run_shapes() {
        let old = json!({"id": 110932306, "head_branch": "master", "head_sha": "7abf600480089550b4224aa97004367c2fa25b38",
            "run_number": 122, "event": "push", "status": "completed", "conclusion": "success", "workflow_id": 1026390,
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
        assert!(workflow_run(&json!({"id": 1})).is_none());
    }
}
