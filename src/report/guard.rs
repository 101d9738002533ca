//! Checks a template before it is rendered. handlebars has no recursion
//! limit, and a stack overflow aborts the process (it cannot be caught), so
//! a template is refused, with the partial and the place named, when:
//!
//! - a partial calls itself, directly or through other partials (the
//!   template's own name counts as a partial that is the whole template);
//! - a partial's name, or an inline partial's, is computed when rendering
//!   (`{{> (lookup ...)}}`, `{{#*inline name}}`): such a call cannot be
//!   checked, so it is not allowed;
//! - blocks, subexpressions and partial calls nest more than [`MAX_DEPTH`]
//!   deep along any path through the partials;
//! - `{{#each}}` loops nest more than [`MAX_LOOPS`] deep (each loop
//!   multiplies the work of the ones inside it, and a loop whose body writes
//!   nothing is not stopped by the bound on the output's size).
//!
//! What is left renders in bounded depth and time; the renderer also bounds
//! the output's size.

use std::collections::HashMap;

use handlebars::template::{
    DecoratorTemplate, HelperTemplate, Parameter, Template, TemplateElement, TemplateMapping,
};
use handlebars::{JsonValue, Path};

/// How deep blocks, subexpressions and partial calls may nest, counted
/// along the deepest path through the partials. The built-in templates
/// nest 5 deep.
pub(crate) const MAX_DEPTH: usize = 64;

/// How deep `{{#each}}` loops may nest, through the partials too. The
/// report's data nests three deep (`charts[].rows[][]`), which the built-in
/// template walks; a fourth can pair any list with another.
pub(crate) const MAX_LOOPS: usize = 4;

/// How deep an element is: in blocks, subexpressions and partial calls, and
/// in `{{#each}}` loops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Depth {
    nest: usize,
    loops: usize,
}

impl Depth {
    /// One level deeper, in a loop when `each`.
    fn inside(self, each: bool) -> Depth {
        Depth {
            nest: self.nest + 1,
            loops: self.loops + usize::from(each),
        }
    }

    fn plus(self, other: Depth) -> Depth {
        Depth {
            nest: self.nest.saturating_add(other.nest),
            loops: self.loops.saturating_add(other.loops),
        }
    }

    fn max(self, other: Depth) -> Depth {
        Depth {
            nest: self.nest.max(other.nest),
            loops: self.loops.max(other.loops),
        }
    }

    /// What is too deep about it, if anything.
    fn excess(self) -> Option<String> {
        if self.nest > MAX_DEPTH {
            Some(format!(
                "blocks, subexpressions and partial calls nest more than {MAX_DEPTH} deep"
            ))
        } else if self.loops > MAX_LOOPS {
            Some(format!(
                "`{{{{#each}}}}` loops nest more than {MAX_LOOPS} deep"
            ))
        } else {
            None
        }
    }
}

/// The partial that `{{> @partial-block}}` names: the block a partial was
/// called with, rendered before the call, so it adds no call of its own.
const PARTIAL_BLOCK: &str = "@partial-block";

/// Where an element is: line and column in the template, when known.
fn place(mapping: Option<&TemplateMapping>) -> String {
    mapping.map_or_else(String::new, |m| format!(" (line {}, column {})", m.0, m.1))
}

/// The static name of a partial, or `None` when it is computed.
fn static_name(name: &Parameter) -> Option<String> {
    match name {
        Parameter::Name(n) => Some(n.clone()),
        Parameter::Path(Path::Relative((_, raw)) | Path::Local((_, _, raw))) => Some(raw.clone()),
        Parameter::Literal(JsonValue::String(s)) => Some(s.clone()),
        Parameter::Literal(v) => Some(v.to_string()),
        _ => None,
    }
}

/// One template body (the template or an inline partial) as a node of the
/// call graph.
#[derive(Default)]
struct Node {
    name: String,
    /// The deepest nesting inside the body itself.
    depth: Depth,
    /// The partials it calls, with the nesting at the call.
    calls: Vec<(usize, Depth)>,
}

/// Pending work of the walk: elements or one parameter, in a node, at a depth.
enum Work<'a> {
    Elements(&'a Template, usize, Depth),
    Element(
        &'a TemplateElement,
        Option<&'a TemplateMapping>,
        usize,
        Depth,
    ),
    Param(&'a Parameter, Option<&'a TemplateMapping>, usize, Depth),
}

struct Graph {
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
}

impl Graph {
    fn node(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.nodes.push(Node {
            name: name.to_string(),
            ..Node::default()
        });
        self.index.insert(name.to_string(), self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    /// Walks `template` (registered as `root`) with an explicit stack, so
    /// that a deep template cannot overflow this walk either.
    fn build(template: &Template, root: &str) -> Result<Graph, String> {
        let mut g = Graph {
            nodes: Vec::new(),
            index: HashMap::new(),
        };
        let top = g.node(root);
        let mut work = vec![Work::Elements(template, top, Depth::default())];
        while let Some(item) = work.pop() {
            match item {
                Work::Elements(t, node, depth) => {
                    for (i, e) in t.elements.iter().enumerate() {
                        work.push(Work::Element(e, t.mapping.get(i), node, depth));
                    }
                }
                Work::Param(p, at, node, depth) => {
                    if let Parameter::Subexpression(s) = p {
                        work.push(Work::Element(s.as_element(), at, node, depth.inside(false)));
                    }
                }
                Work::Element(e, at, node, depth) => {
                    g.element(e, at, node, depth, &mut work)?;
                }
            }
        }
        Ok(g)
    }

    fn element<'a>(
        &mut self,
        e: &'a TemplateElement,
        at: Option<&'a TemplateMapping>,
        node: usize,
        depth: Depth,
        work: &mut Vec<Work<'a>>,
    ) -> Result<(), String> {
        // A loop counts even when its body is empty: it still iterates.
        let each = matches!(e, TemplateElement::HelperBlock(h) if is_each(h));
        let looped = Depth {
            loops: depth.loops + usize::from(each),
            ..depth
        };
        if let Some(excess) = looped.excess() {
            return Err(format!("{excess}{}", place(at)));
        }
        let deepest = &mut self.nodes[node].depth;
        *deepest = (*deepest).max(looped);
        match e {
            TemplateElement::RawString(_) | TemplateElement::Comment(_) => {}
            TemplateElement::Expression(h)
            | TemplateElement::HtmlExpression(h)
            | TemplateElement::HelperBlock(h) => helper(h, at, node, depth, work),
            TemplateElement::DecoratorBlock(d) | TemplateElement::DecoratorExpression(d) => {
                if matches!(&d.name, Parameter::Name(n) if n == "inline") {
                    self.inline(d, at, work)?;
                } else {
                    decorator(d, at, node, depth, work);
                }
            }
            TemplateElement::PartialExpression(d) | TemplateElement::PartialBlock(d) => {
                let Some(name) = static_name(&d.name) else {
                    return Err(format!(
                        "a partial's name must be written out, not computed when rendering (such as `{{{{> (lookup ...)}}}}`){}",
                        place(at)
                    ));
                };
                if name != PARTIAL_BLOCK {
                    let callee = self.node(&name);
                    self.nodes[node].calls.push((callee, depth.inside(false)));
                }
                decorator(d, at, node, depth, work);
            }
            _ => return Err(format!("an element this check does not know{}", place(at))),
        }
        Ok(())
    }

    /// An inline partial's definition: a node of its own, whose body's
    /// depth starts at 0 (it renders where the partial is called).
    fn inline<'a>(
        &mut self,
        d: &'a DecoratorTemplate,
        at: Option<&'a TemplateMapping>,
        work: &mut Vec<Work<'a>>,
    ) -> Result<(), String> {
        let Some(name) = d.params.first().and_then(|p| match p {
            Parameter::Literal(JsonValue::String(s)) => Some(s.as_str()),
            _ => None,
        }) else {
            return Err(format!(
                "an inline partial's name must be a quoted string, not computed when rendering{}",
                place(at)
            ));
        };
        let inline = self.node(name);
        if let Some(body) = &d.template {
            work.push(Work::Elements(body, inline, Depth::default()));
        }
        Ok(())
    }

    /// Each node's deepest nesting with the partials it calls, or the first
    /// cycle of calls found (from the template itself first), as the nodes
    /// along it, the first one again at the end. A depth-first walk with an
    /// explicit stack: linear in the calls, and no recursion.
    fn depths(&self) -> Result<Vec<Depth>, Vec<usize>> {
        #[derive(Clone, Copy, PartialEq, Eq)]
        enum State {
            New,
            Open,
            Done(Depth),
        }
        let mut state = vec![State::New; self.nodes.len()];
        for start in 0..self.nodes.len() {
            if state[start] != State::New {
                continue;
            }
            state[start] = State::Open;
            // (node, how many of its calls are walked)
            let mut stack = vec![(start, 0usize)];
            while let Some(&(node, next)) = stack.last() {
                let n = &self.nodes[node];
                if let Some(&(callee, _)) = n.calls.get(next) {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    match state[callee] {
                        State::New => {
                            state[callee] = State::Open;
                            stack.push((callee, 0));
                        }
                        State::Open => {
                            let from = stack.iter().position(|&(s, _)| s == callee);
                            let mut cycle: Vec<usize> =
                                stack[from.unwrap_or(0)..].iter().map(|&(s, _)| s).collect();
                            cycle.push(callee);
                            return Err(cycle);
                        }
                        State::Done(_) => {}
                    }
                } else {
                    let total = n
                        .calls
                        .iter()
                        .map(|&(c, d)| match state[c] {
                            State::Done(t) => t.plus(d),
                            _ => Depth::default(),
                        })
                        .fold(n.depth, Depth::max);
                    state[node] = State::Done(total);
                    stack.pop();
                }
            }
        }
        Ok(state
            .into_iter()
            .map(|s| match s {
                State::Done(t) => t,
                _ => Depth::default(),
            })
            .collect())
    }
}

/// An `{{#each}}` loop.
fn is_each(h: &HelperTemplate) -> bool {
    matches!(&h.name, Parameter::Name(n) if n == "each")
}

fn helper<'a>(
    h: &'a HelperTemplate,
    at: Option<&'a TemplateMapping>,
    node: usize,
    depth: Depth,
    work: &mut Vec<Work<'a>>,
) {
    work.push(Work::Param(&h.name, at, node, depth));
    for p in h.params.iter().chain(h.hash.values()) {
        work.push(Work::Param(p, at, node, depth));
    }
    if let Some(body) = &h.template {
        work.push(Work::Elements(body, node, depth.inside(is_each(h))));
    }
    // `{{else}}` of a loop renders once, when the list is empty.
    if let Some(body) = &h.inverse {
        work.push(Work::Elements(body, node, depth.inside(false)));
    }
}

fn decorator<'a>(
    d: &'a DecoratorTemplate,
    at: Option<&'a TemplateMapping>,
    node: usize,
    depth: Depth,
    work: &mut Vec<Work<'a>>,
) {
    for p in d.params.iter().chain(d.hash.values()) {
        work.push(Work::Param(p, at, node, depth));
    }
    if let Some(body) = &d.template {
        work.push(Work::Elements(body, node, depth.inside(false)));
    }
}

/// Checks `template`, registered under `root`, before it is rendered.
///
/// # Errors
/// A recursive partial (the message names it and the calls that lead back
/// to it), a partial name computed when rendering, nesting deeper than
/// [`MAX_DEPTH`] or loops nested deeper than [`MAX_LOOPS`].
pub(crate) fn check(template: &Template, root: &str) -> Result<(), String> {
    let graph = Graph::build(template, root)?;
    match graph.depths() {
        Ok(depths) => match depths.first().and_then(|d| d.excess()) {
            Some(excess) => Err(format!("through its partials, {excess}")),
            None => Ok(()),
        },
        Err(cycle) => {
            let names: Vec<String> = cycle
                .iter()
                .map(|&i| format!("\"{}\"", graph.nodes[i].name))
                .collect();
            let first = names.first().cloned().unwrap_or_default();
            let how = if names.len() <= 2 {
                "directly".to_string()
            } else {
                format!("through {}", names.join(" → "))
            };
            Err(format!(
                "partial {first} calls itself {how}; handlebars has no recursion limit, so recursive partials are refused"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(text: &str) -> Result<(), String> {
        let t = Template::compile(text).map_err(|e| e.to_string())?;
        check(&t, "report.md.hbs")
    }

    /// A partial that calls itself is refused, and the message names it.
    #[test]
    fn self_calling_partials_are_refused() {
        let e = checked(r#"{{#*inline "p"}}{{> p}}{{/inline}}{{> p}}"#).unwrap_err();
        assert!(e.contains("partial \"p\" calls itself directly"), "{e}");
        let e = checked(r#"{{#*inline "p"}}{{#if x}}{{#> p}}fallback{{/p}}{{/if}}{{/inline}}"#)
            .unwrap_err();
        assert!(e.contains("\"p\" calls itself"), "{e}");
    }

    /// Recursion through other partials, or through the template itself, is refused.
    #[test]
    fn mutual_recursion_is_refused() {
        let e = checked(
            r#"{{#*inline "a"}}{{> b}}{{/inline}}{{#*inline "b"}}{{#each x}}{{> c}}{{/each}}{{/inline}}{{#*inline "c"}}{{> a}}{{/inline}}{{> a}}"#,
        )
        .unwrap_err();
        assert!(e.contains("through"), "{e}");
        for name in ["\"a\"", "\"b\"", "\"c\""] {
            assert!(e.contains(name), "{e}");
        }
        let e = checked(r#"{{#*inline "p"}}{{> report.md.hbs}}{{/inline}}{{> p}}"#).unwrap_err();
        assert!(e.contains("\"report.md.hbs\""), "{e}");
    }

    /// Partial names computed when rendering are refused, with the place.
    #[test]
    fn dynamic_partial_names_are_refused() {
        let e = checked("x\n{{> (lookup this \"name\")}}").unwrap_err();
        assert!(e.contains("computed when rendering"), "{e}");
        assert!(e.contains("line 2"), "{e}");
        let e = checked("{{#*inline name}}{{> p}}{{/inline}}").unwrap_err();
        assert!(e.contains("quoted string"), "{e}");
    }

    /// Nesting deeper than the limit is refused, also when it builds up through partials.
    #[test]
    fn deep_nesting_is_refused() {
        let n = MAX_DEPTH + 1;
        let deep = "{{#if a}}".repeat(n) + "x" + &"{{/if}}".repeat(n);
        checked(&deep.replacen("{{#if a}}", "", 1).replacen("{{/if}}", "", 1)).unwrap();
        assert!(
            checked(&deep)
                .unwrap_err()
                .contains("nest more than 64 deep")
        );
        let half = "{{#if a}}".repeat(40) + "{{> q}}" + &"{{/if}}".repeat(40);
        let chained = format!(
            r#"{{{{#*inline "p"}}}}{half}{{{{/inline}}}}{{{{#*inline "q"}}}}{}{{{{/inline}}}}{{{{> p}}}}"#,
            half.replace("{{> q}}", "x")
        );
        let e = checked(&chained).unwrap_err();
        assert!(e.contains("through its partials"), "{e}");
    }

    /// Loops nested past the limit are refused, also through partials; an `{{else}}` is no loop.
    #[test]
    fn deep_loops_are_refused() {
        let loops = |n: usize| "{{#each a}}".repeat(n) + "x" + &"{{/each}}".repeat(n);
        checked(&loops(MAX_LOOPS)).unwrap();
        let e = checked(&loops(MAX_LOOPS + 1)).unwrap_err();
        assert!(e.contains("loops nest more than 4 deep"), "{e}");
        let empty = "{{#each a}}".repeat(MAX_LOOPS + 1) + &"{{/each}}".repeat(MAX_LOOPS + 1);
        checked(&empty).unwrap_err();
        let e = checked(&format!(
            r#"{{{{#*inline "p"}}}}{{{{#each z}}}}{{{{/each}}}}{{{{/inline}}}}{}{{{{> p}}}}{}"#,
            "{{#each a}}".repeat(MAX_LOOPS),
            "{{/each}}".repeat(MAX_LOOPS)
        ))
        .unwrap_err();
        assert!(e.contains("through its partials"), "{e}");
        let e = checked(&format!(
            r#"{{{{#*inline "p"}}}}{}{{{{/inline}}}}{{{{#each a}}}}{{{{> p}}}}{{{{/each}}}}"#,
            loops(MAX_LOOPS)
        ))
        .unwrap_err();
        assert!(e.contains("through its partials, `{{#each}}` loops"), "{e}");
        let four = "{{#each a}}{{#each b}}{{#each c}}{{#each d}}";
        let end = "{{/each}}{{/each}}{{/each}}{{/each}}";
        checked(&format!("{four}{{{{#each e}}}}y{{{{/each}}}}{end}")).unwrap_err();
        checked(&format!(
            "{four}x{{{{else}}}}{{{{#each e}}}}y{{{{/each}}}}{end}"
        ))
        .unwrap();
    }

    /// Ordinary templates pass: partials called more than once, partial blocks, the built-in templates.
    #[test]
    fn ordinary_templates_pass() {
        checked(r#"{{#*inline "row"}}| {{name}} |{{/inline}}{{#each categories}}{{> row}}{{> row}}{{/each}}"#)
            .unwrap();
        checked(r#"{{#*inline "box"}}[{{> @partial-block}}]{{/inline}}{{#> box}}x{{/box}}"#)
            .unwrap();
        checked(include_str!("../../templates/report.md.hbs")).unwrap();
        checked(include_str!("../../templates/compare.md.hbs")).unwrap();
    }
}
