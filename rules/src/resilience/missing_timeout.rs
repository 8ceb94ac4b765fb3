//! `missing-timeout`: an outbound HTTP request that may wait forever: no
//! timeout on the request, none on the client it goes through, and no
//! library default.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use snag_analyzer::catalog::{Catalog, HttpApi, HttpApiKind};
use snag_analyzer::engine::{Needles, Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Confidence, Diagnostic, Related, Severity};
use snag_analyzer::model::Language;
use snag_analyzer::model::{uncalled, Arg, Call, FileModel, Span, Value, SPREAD_KEY};

use crate::perf::inside_a_bigger_call;
use crate::sql_sinks::callee_text;
use crate::test_code::is_test_code;

pub(crate) struct MissingTimeout;

static META: RuleMeta = RuleMeta {
    id: "missing-timeout",
    pack: "resilience",
    severity: Severity::Warning,
    summary: "an outbound HTTP request with no timeout, where neither its client nor its library sets a default",
    docs: DOCS,
};

const DOCS: &str = r#"# missing-timeout

## What it does
Flags outbound HTTP requests that nothing bounds in time. Libraries whose
timeout is given per request are checked at the request: `requests` (also
`Session` methods), `urllib.request.urlopen` and `opener.open`, module-level
`axios.get/post/…`, `axios(config)`, `got(…)`, `node-fetch`, `reqwest::get`,
`ureq::get/post/…`. Clients that take a default when built are checked where
they are built, once: `axios.create`, `got.extend`, `reqwest::Client::new()`
and `Client::builder()…build()`, `ureq::agent()` and `AgentBuilder`,
`http.client.HTTPConnection`, `urllib3.PoolManager`; requests sent through them
are not reported again. Switching a timeout off (`timeout=None`, `timeout: 0`,
ky's `timeout: false`, reqwest's `.timeout(None)`, awc's `.disable_timeout()`)
is reported even where the library has a default. Which APIs take which
timeout, and their defaults, comes from the `http-call` and `http-client`
catalogs.

## Why is this bad?
A server that accepts the connection and never answers holds the call, and the
worker, request or job waiting on it, forever. During an upstream outage those
calls pile up until the service has no worker left to answer its own
requests, and the outage spreads to everything that calls it.

## Example
```python
response = requests.post(endpoint.url, data=body, headers=headers)
```

## Use instead
```python
response = requests.post(endpoint.url, data=body, headers=headers, timeout=(3.05, 30))
```

## Known limits
Library defaults count, however long (httpx 5 s, aiohttp 5 min, ky 10 s,
reqwest's blocking client 30 s, awc 5 s, Node's global `fetch` 300 s). A
timeout is bounded if set on the request (keyword, options object, also through
a local config object, `signal`, or a method chained on the request), on the
client (its options or builder, `api.defaults.timeout = …` later in the file,
`axios.defaults.timeout` set before it, a mounted `HTTPAdapter` subclass or
`session.request = functools.partial(…, timeout=…)` on a `requests.Session`),
by `socket.setdefaulttimeout` (urllib and `http.client` only: requests passes
its own), or by `tokio::time::timeout` around the future. A client built in the
file is silent when every request the file sends through it sets its own
timeout, even if it also leaves the file. Clients and sessions that come from
elsewhere (parameters, injected services, `app.state`) are not judged, nor is
a `requests.Session` the file hands to a function (which may configure it), an
options object the file does not spell out (`**kwargs`, a config from a
parameter, a spread such as `{ ...defaults }`), a `self.` field assigned after
the method that reads it, or a `self` field of a Rust struct. Tests are
silent: test files by name (`test_*.py`, `*.test.ts`, `*.spec.ts`, `tests/`),
test functions, classes and modules, and test-runner callbacks.
"#;

impl Rule for MissingTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needles(&self, catalog: &Catalog, language: Language) -> Option<Needles> {
        Needles::words(&catalog.http_api_names(language))
    }

    fn check(&self, context: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>) {
        let model = context.model;
        let apis: Vec<(&Call, &HttpApi)> = model
            .calls
            .iter()
            .filter_map(|call| {
                Some((
                    call,
                    context.catalog.http_api(&call.path, context.language)?,
                ))
            })
            .filter(|(call, _)| !is_test_code(context, call.span))
            .collect();
        if apis.is_empty() {
            return;
        }
        let spans: Vec<(Span, Span)> = apis
            .iter()
            .map(|(call, _)| (call.span, call.callee_span))
            .collect();
        let inside = inside_a_bigger_call(&spans);
        let index = Index::new(model);
        let wrappers = model
            .calls
            .iter()
            .filter(|call| {
                context
                    .catalog
                    .is_timeout_wrapper(&call.path, context.language)
            })
            .collect();
        let mut checker = Checker {
            context,
            index,
            wrappers,
            module_defaults: HashMap::new(),
        };
        for ((call, api), part_of_bigger) in apis.into_iter().zip(inside) {
            if part_of_bigger {
                continue;
            }
            let diagnostic = match api.kind {
                HttpApiKind::PerCall => checker.request(call, api),
                HttpApiKind::Client => checker.client(call, api),
            };
            diagnostics.extend(diagnostic);
        }
    }
}

/// What a call, a construction or a chain says about its timeout, from
/// weakest to strongest evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Setting {
    /// No keyword, option or builder method sets one.
    Absent,
    /// Something the file does not spell out may (`**kwargs`, an options
    /// object from a parameter).
    Unknown,
    /// Switched off: `None`, `null`, `undefined`, `false`, `0`,
    /// `disable_timeout()`.
    Disabled,
    Set,
}

impl Setting {
    fn of(value: &Value) -> Setting {
        if disables(value) {
            Setting::Disabled
        } else {
            Setting::Set
        }
    }

    /// Whether it may bound the request.
    fn may_bound(self) -> bool {
        matches!(self, Setting::Set | Setting::Unknown)
    }
}

/// A value that, given as a timeout, switches it off.
fn disables(value: &Value) -> bool {
    matches!(
        value,
        Value::Literal | Value::Bool(false) | Value::Number(Some(0))
    )
}

/// The file's calls and attribute writes, indexed for the questions below.
struct Index<'m> {
    model: &'m FileModel,
    /// Calls by the byte they start at: the links of a chain share it.
    by_start: HashMap<u32, Vec<usize>>,
    /// Calls by where their receiver was made.
    by_receiver: HashMap<Span, Vec<usize>>,
    /// Attribute writes by where their object was made.
    writes_by_object: HashMap<Span, Vec<usize>>,
    /// Every receiver's, argument's or written object's definition, once.
    sites: Vec<Span>,
}

impl<'m> Index<'m> {
    fn new(model: &'m FileModel) -> Index<'m> {
        let mut by_start: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut by_receiver: HashMap<Span, Vec<usize>> = HashMap::new();
        let mut sites: HashSet<Span> = HashSet::new();
        for (position, call) in model.calls.iter().enumerate() {
            by_start.entry(call.span.start).or_default().push(position);
            if let Some(site) = call.receiver_defined_at {
                by_receiver.entry(site).or_default().push(position);
                sites.insert(site);
            }
            sites.extend(call.args.iter().filter_map(|arg| arg.defined_at));
        }
        let mut writes_by_object: HashMap<Span, Vec<usize>> = HashMap::new();
        for (position, write) in model.attribute_writes.iter().enumerate() {
            if let Some(site) = write.object_defined_at {
                writes_by_object.entry(site).or_default().push(position);
                sites.insert(site);
            }
        }
        let mut sites: Vec<Span> = sites.into_iter().collect();
        sites.sort();
        Index {
            model,
            by_start,
            by_receiver,
            writes_by_object,
            sites,
        }
    }

    fn calls_starting_with(&self, call: &Call) -> impl Iterator<Item = &'m Call> + '_ {
        let model = self.model;
        self.by_start
            .get(&call.span.start)
            .into_iter()
            .flatten()
            .map(move |position| &model.calls[*position])
    }

    /// Calls chained on `call`'s result (`.timeout(…)` and `.send()` of
    /// `ureq::get(url).timeout(…).send()`).
    fn outer_links(&self, call: &'m Call) -> Vec<&'m Call> {
        let prefix = format!("{}()", call.path.text);
        self.calls_starting_with(call)
            .filter(|other| {
                other.span != call.span
                    && other.span.contains(call.span)
                    && other.path.text.starts_with(&prefix)
            })
            .collect()
    }

    /// The calls a chain ending in `call` is made of (`.timeout(…)` of
    /// `Client::builder().timeout(…).build()`).
    fn inner_links(&self, call: &'m Call) -> Vec<&'m Call> {
        self.calls_starting_with(call)
            .filter(|other| {
                other.span != call.span
                    && call.span.contains(other.span)
                    && call
                        .path
                        .text
                        .starts_with(&format!("{}()", other.path.text))
            })
            .collect()
    }

    /// The definitions of receivers and written objects that hold `call`:
    /// where a local or field it was assigned to was bound. A site that
    /// holds the function `call` is in (`const f = () => { … }`) is not one.
    fn sites_of(&self, call: &Call) -> Vec<Span> {
        let enclosing = call.function.map(|id| self.model.function(id).span);
        self.sites
            .iter()
            .copied()
            .filter(|site| site.contains(call.span))
            .filter(|site| !enclosing.is_some_and(|function| site.contains(function)))
            .collect()
    }

    /// Calls made on the object defined at `site`.
    fn calls_on(&self, site: Span) -> impl Iterator<Item = &'m Call> + '_ {
        let model = self.model;
        self.by_receiver
            .get(&site)
            .into_iter()
            .flatten()
            .map(move |position| &model.calls[*position])
    }

    fn writes_on(
        &self,
        site: Span,
    ) -> impl Iterator<Item = &'m snag_analyzer::model::AttributeWrite> + '_ {
        let model = self.model;
        self.writes_by_object
            .get(&site)
            .into_iter()
            .flatten()
            .map(move |position| &model.attribute_writes[*position])
    }

    /// The calls whose span lies within `span` (calls are sorted by start).
    fn calls_within(&self, span: Span) -> impl Iterator<Item = &'m Call> + '_ {
        let calls = &self.model.calls;
        let first = calls.partition_point(|call| call.span.start < span.start);
        calls[first..]
            .iter()
            .take_while(move |call| call.span.start < span.end)
            .filter(move |call| span.contains(call.span))
    }

    /// The call whose span is exactly `span`.
    fn call_at(&self, span: Span) -> Option<&'m Call> {
        self.by_start
            .get(&span.start)?
            .iter()
            .map(|position| &self.model.calls[*position])
            .find(|call| call.span == span)
    }
}

struct Checker<'c, 'm> {
    context: &'c RuleContext<'m>,
    index: Index<'m>,
    /// Calls that bound what is passed to them (`tokio::time::timeout`).
    wrappers: Vec<&'m Call>,
    /// Per catalog entry, where the file sets a process-wide default:
    /// (position, at module level).
    module_defaults: HashMap<*const HttpApi, Vec<(u32, bool)>>,
}

impl<'m> Checker<'_, 'm> {
    /// A request whose timeout is given per call.
    fn request(&mut self, call: &'m Call, api: &HttpApi) -> Option<Diagnostic> {
        let instance = if api.made_by.is_empty() {
            None
        } else {
            // Only an object made in this file is judged: one made elsewhere
            // may be configured there.
            Some(self.instance_made_here(call, api)?)
        };
        let setting = self
            .argument_setting(
                call,
                &api.timeout,
                api.timeout_position,
                api.options_position,
            )
            .max(self.chain_setting(call, &api.timeout, &[]));
        match setting {
            Setting::Set | Setting::Unknown => return None,
            Setting::Disabled => return Some(self.switched_off(call, api, "request")),
            Setting::Absent if api.default.is_some() => return None,
            Setting::Absent => {}
        }
        if self.module_default_covers(call, api) || self.wrapped_in_timeout(call) {
            return None;
        }
        let mut related = Vec::new();
        if let Some(site) = instance.flatten() {
            if self.object_has_default(site, api) {
                return None;
            }
            related.push(Related {
                span: site,
                message: format!(
                    "made here, with no default timeout ({} has none)",
                    api.library
                ),
            });
        }
        related.extend(self.handler_of(call));
        let callee = callee_text(self.context, call);
        Some(Diagnostic {
            rule: META.id,
            confidence: Confidence::High,
            span: call.span,
            message: format!(
                "`{callee}(…)` sends a request with no timeout, and {} has no default: it waits as long as the server takes",
                api.library
            ),
            why: WHY.to_string(),
            help: api.fix.clone(),
            related,
            fix: None,
        })
    }

    /// A client that takes its default timeout when built.
    fn client(&mut self, call: &'m Call, api: &HttpApi) -> Option<Diagnostic> {
        let mut setting = self.argument_setting(
            call,
            &api.timeout,
            api.timeout_position,
            api.options_position,
        );
        for link in self.index.inner_links(call) {
            let name = link.path.name();
            if api.disable.iter().any(|each| each == name) {
                setting = setting.max(Setting::Disabled);
            } else if api.timeout.iter().any(|each| each == name) {
                setting = setting.max(first_argument_setting(link));
            }
        }
        // A builder configured through a variable (`builder =
        // builder.timeout(t); builder.build()`) shows it in its path only.
        if setting == Setting::Absent {
            let segments: Vec<&str> = call.path.segments().collect();
            for segment in &segments[..segments.len().saturating_sub(1)] {
                let Some(method) = segment.strip_suffix("()") else {
                    continue;
                };
                if api.disable.iter().any(|each| each == method) {
                    setting = setting.max(Setting::Disabled);
                } else if api.timeout.iter().any(|each| each == method) {
                    setting = setting.max(Setting::Set);
                }
            }
        }
        match setting {
            Setting::Set | Setting::Unknown => return None,
            Setting::Disabled => return Some(self.switched_off(call, api, "client")),
            Setting::Absent if api.default.is_some() => return None,
            Setting::Absent => {}
        }
        if self.module_default_covers(call, api) {
            return None;
        }
        let sites = self.index.sites_of(call);
        let defaulted_later = sites.iter().any(|site| {
            self.index.writes_on(*site).any(|write| {
                api.object_defaults
                    .iter()
                    .any(|attribute| write.target.text.ends_with(&format!(".{attribute}")))
                    && !disables(&write.value)
            })
        });
        if defaulted_later {
            return None;
        }
        let mut request_sites = sites.clone();
        request_sites.extend(self.helper_parameters(&sites));
        let requests: Vec<&Call> = request_sites
            .iter()
            .flat_map(|site| self.index.calls_on(*site))
            .filter(|request| {
                let method = if request.path.text.ends_with("()") {
                    "()"
                } else {
                    request.path.name()
                };
                api.requests.iter().any(|each| each == method)
            })
            .collect();
        let unbounded: Vec<&&Call> = requests
            .iter()
            .filter(|request| {
                let setting = self
                    .argument_setting(request, &api.request_timeout, None, None)
                    .max(self.chain_setting(request, &api.request_timeout, &[]));
                !setting.may_bound() && !self.wrapped_in_timeout(request)
            })
            .collect();
        if !requests.is_empty() && unbounded.is_empty() {
            return None;
        }
        let mut related = Vec::new();
        if let Some(first) = unbounded.first() {
            related.push(Related {
                span: first.span,
                message: "a request sent through it, with no timeout of its own".to_string(),
            });
        }
        let callee = self.construction_name(call);
        Some(Diagnostic {
            rule: META.id,
            // Its requests may be sent, with their own timeouts, elsewhere.
            confidence: if unbounded.is_empty() {
                Confidence::Medium
            } else {
                Confidence::High
            },
            span: call.span,
            message: format!(
                "`{callee}` makes a client without a default timeout, and {} has none: its requests wait as long as the server takes",
                api.library
            ),
            why: WHY.to_string(),
            help: api.fix.clone(),
            related,
            fix: None,
        })
    }

    fn switched_off(&self, call: &'m Call, api: &HttpApi, what: &str) -> Diagnostic {
        let callee = match api.kind {
            HttpApiKind::Client => self.construction_name(call),
            HttpApiKind::PerCall => format!("{}(…)", callee_text(self.context, call)),
        };
        let default = match &api.default {
            Some(default) => format!(" ({}'s default is {default})", api.library),
            None => String::new(),
        };
        Diagnostic {
            rule: META.id,
            confidence: Confidence::High,
            span: call.span,
            message: format!("`{callee}` switches the {what}'s timeout off{default}: it waits as long as the server takes"),
            why: WHY.to_string(),
            help: api.fix.clone(),
            related: self.handler_of(call).into_iter().collect(),
            fix: None,
        }
    }

    /// What the call's own arguments set: keywords, a positional timeout,
    /// keys of an options object.
    fn argument_setting(
        &self,
        call: &Call,
        names: &[String],
        timeout_position: Option<usize>,
        options_position: Option<usize>,
    ) -> Setting {
        let mut setting = Setting::Absent;
        let mut positional: Vec<&Arg> = Vec::new();
        for arg in &call.args {
            if let Some(keyword) = &arg.keyword {
                if keyword.starts_with('*') {
                    // `**kwargs`: whatever it holds.
                    setting = setting.max(Setting::Unknown);
                } else if names.contains(keyword) {
                    setting = setting.max(Setting::of(&arg.value));
                }
                continue;
            }
            let text = self.context.text(arg.span).trim_start();
            if text.starts_with("**") || text.starts_with("...") {
                // `**kwargs`, `...options`: whatever they hold.
                setting = setting.max(Setting::Unknown);
                continue;
            }
            if text.starts_with('*') {
                setting = setting.max(Setting::Unknown);
                continue;
            }
            if let Some(found) = options_setting(&arg.value, names) {
                setting = setting.max(found);
            }
            positional.push(arg);
        }
        if let Some(arg) = timeout_position.and_then(|position| positional.get(position)) {
            setting = setting.max(Setting::of(&arg.value));
        }
        if let Some(mut position) = options_position {
            // A URL where the options would be: they follow it (`axios(url, config)`).
            if matches!(
                positional.get(position).map(|arg| &arg.value),
                Some(Value::Str(_))
            ) {
                position += 1;
            }
            if let Some(arg) = positional.get(position) {
                if !matches!(
                    arg.value,
                    Value::Object(_)
                        | Value::Str(_)
                        | Value::Literal
                        | Value::Bool(_)
                        | Value::Number(_)
                ) {
                    setting = setting.max(Setting::Unknown);
                }
            }
        }
        setting
    }

    /// What methods chained on the request set (`.timeout(…)`), also through
    /// a local it was bound to; `disable` names methods that switch it off.
    fn chain_setting(&self, call: &'m Call, names: &[String], disable: &[String]) -> Setting {
        let mut links = self.index.outer_links(call);
        for site in self.index.sites_of(call) {
            for bound in self.index.calls_on(site) {
                links.push(bound);
                links.extend(self.index.outer_links(bound));
            }
        }
        let mut setting = Setting::Absent;
        for link in links {
            let name = link.path.name();
            if disable.iter().any(|each| each == name) {
                setting = setting.max(Setting::Disabled);
            } else if names.iter().any(|each| each == name) {
                setting = setting.max(first_argument_setting(link));
            }
        }
        setting
    }

    /// Parameters of this file's functions that the object defined at one of
    /// `sites` is passed to (`geocode(&http, …)` with `fn geocode(http:
    /// &Client, …)`): requests through them go through it too. Only a callee
    /// the file defines once is followed, one level deep.
    fn helper_parameters(&self, sites: &[Span]) -> Vec<Span> {
        let model = self.index.model;
        let mut parameters = Vec::new();
        for call in &model.calls {
            if call.path.resolved {
                continue;
            }
            let positional = call.args.iter().filter(|arg| arg.keyword.is_none());
            for (position, arg) in positional.enumerate() {
                if !arg.defined_at.is_some_and(|site| sites.contains(&site)) {
                    continue;
                }
                let name = call.path.name();
                let mut candidates = model
                    .functions
                    .iter()
                    .filter(|function| function.name == name);
                let (Some(function), None) = (candidates.next(), candidates.next()) else {
                    continue;
                };
                // A method called on its object: the first parameter is the object.
                let takes_receiver = call.path.text.contains('.')
                    && function
                        .params
                        .first()
                        .is_some_and(|first| matches!(first.name.as_str(), "self" | "cls"));
                let index = position + usize::from(takes_receiver);
                if let Some(parameter) = function.params.get(index) {
                    parameters.push(parameter.span);
                }
            }
        }
        parameters
    }

    /// The object a per-request API's request goes through, when this file
    /// makes it: `Some(site)` where it is bound to a name, `Some(None)` when
    /// made in the call itself (`requests.Session().get(…)`).
    fn instance_made_here(&self, call: &Call, api: &HttpApi) -> Option<Option<Span>> {
        let made_within = |span: Span| {
            self.index.calls_within(span).any(|each| {
                api.made_by.iter().any(|pattern| {
                    pattern.matches_text(uncalled(&each.path.text), each.path.resolved)
                })
            })
        };
        match call.receiver_defined_at {
            Some(site) if made_within(site) => Some(Some(site)),
            None if made_within(call.callee_span) => Some(None),
            _ => None,
        }
    }

    /// Whether the object made at `site` was given a default for its
    /// requests: an attribute such as `request` replaced (by anything but a
    /// call that sets no timeout), a transport of a custom class mounted, or
    /// the object handed to a function, which may configure it.
    fn object_has_default(&self, site: Span, api: &HttpApi) -> bool {
        let handed_over = self
            .index
            .model
            .calls
            .iter()
            .any(|call| call.args.iter().any(|arg| arg.defined_at == Some(site)));
        if handed_over {
            return true;
        }
        let replaced = self.index.writes_on(site).any(|write| {
            let attribute = write.target.name();
            if !api.object_defaults.iter().any(|each| each == attribute) {
                return false;
            }
            match self.index.call_at(write.value_span) {
                Some(call) => self
                    .argument_setting(call, &api.timeout, None, None)
                    .may_bound(),
                None => !disables(&write.value),
            }
        });
        let mounted = self.index.calls_on(site).any(|call| {
            api.transport_methods
                .iter()
                .any(|method| method == call.path.name())
                && call.args.iter().any(|arg| match &arg.value {
                    Value::Str(_) => false,
                    Value::Path(path) if path.text.ends_with("()") => {
                        let class = uncalled(&path.text);
                        !api.stock_transports
                            .iter()
                            .any(|stock| stock.matches_text(class, path.resolved))
                    }
                    // An adapter from elsewhere may set one.
                    _ => true,
                })
        });
        replaced || mounted
    }

    /// Whether the file sets a process-wide default that covers `call`:
    /// before it, or at module level when `call` is in a function.
    fn module_default_covers(&mut self, call: &Call, api: &HttpApi) -> bool {
        if api.module_defaults.is_empty() {
            return false;
        }
        let model = self.index.model;
        let setters = self
            .module_defaults
            .entry(api as *const HttpApi)
            .or_insert_with(|| {
                let by_call = model.calls.iter().filter_map(|each| {
                    let text = each.path.text.as_str();
                    let matches = api
                        .module_defaults
                        .iter()
                        .any(|pattern| pattern.matches_text(text, each.path.resolved));
                    let switched_off = each.args.first().is_some_and(|arg| disables(&arg.value));
                    (matches && !switched_off).then_some((each.span.start, each.function.is_none()))
                });
                let by_write = model.attribute_writes.iter().filter_map(|write| {
                    let matches = api.module_defaults.iter().any(|pattern| {
                        pattern.matches_text(&write.target.text, write.target.resolved)
                    });
                    (matches && !disables(&write.value))
                        .then_some((write.span.start, write.function.is_none()))
                });
                by_call.chain(by_write).collect()
            });
        setters.iter().any(|(start, module_level)| {
            *start < call.span.start || (*module_level && call.function.is_some())
        })
    }

    /// Whether the request is passed to a call that bounds it
    /// (`tokio::time::timeout(d, reqwest::get(url))`).
    fn wrapped_in_timeout(&self, call: &Call) -> bool {
        self.wrappers.iter().any(|outer| {
            outer.span.contains(call.span)
                && outer.args.iter().any(|arg| arg.span.contains(call.span))
        })
    }

    /// The request handler the call runs in, for the related spans.
    fn handler_of(&self, call: &Call) -> Option<Related> {
        let model = self.index.model;
        let mut current = call.function.map(|id| model.function(id));
        while let Some(function) = current {
            if function.handler.is_some() {
                return Some(Related {
                    span: function.name_span,
                    message: "the request handler that waits with it".to_string(),
                });
            }
            current = function.parent.map(|id| model.function(id));
        }
        None
    }

    /// `axios.create(…)`, or `Client::builder(…)….build(…)` for a chain.
    fn construction_name(&self, call: &'m Call) -> String {
        let innermost = self
            .index
            .calls_starting_with(call)
            .filter(|link| link.span != call.span && call.span.contains(link.span))
            .min_by_key(|link| link.span.end - link.span.start);
        match innermost {
            Some(first) => format!(
                "{}(…)….{}(…)",
                callee_text(self.context, first),
                call.path.name()
            ),
            None => format!("{}(…)", callee_text(self.context, call)),
        }
    }
}

/// What an options argument sets: the keys of an object (any of several,
/// for a variable assigned in branches); a spread may bring any key.
fn options_setting(value: &Value, names: &[String]) -> Option<Setting> {
    match value {
        Value::Object(entries) => {
            let named = entries
                .iter()
                .filter(|(key, _)| names.contains(key))
                .map(|(_, value)| Setting::of(value))
                .max();
            let spread = entries.iter().any(|(key, _)| key == SPREAD_KEY);
            named.or(spread.then_some(Setting::Unknown))
        }
        Value::OneOf(values) => values
            .iter()
            .filter_map(|value| options_setting(value, names))
            .max(),
        _ => None,
    }
}

/// `.timeout(d)` sets a timeout, `.timeout(None)` switches it off.
fn first_argument_setting(link: &Call) -> Setting {
    link.args
        .first()
        .map_or(Setting::Set, |arg| Setting::of(&arg.value))
}

const WHY: &str = "A server that accepts the connection and never answers holds the call, and the worker or request waiting on it, forever; during an upstream outage these pile up until the service stops answering.";
