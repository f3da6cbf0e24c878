//! `x` on the service screen without a terminal: the container picked (a
//! list when there are several, narrowed by typing), the refusal said at once
//! in read-only mode, the hand-over asked for once the session is open, and
//! the message and fresh reads after the shell. Then the demo's simulated
//! shell through the same port and preparation the console uses.

use crate::support::fixtures;
use triage::app::state::Overlay;
use triage::app::{update, AppState, Effect, Key, KeyPress, Msg, Screen, WorkerResult};
use triage::domain::exec::{ExecAsk, ExecEnded, ExecRequest, Handoff};
use triage::domain::service::ServiceKey;

fn on_service_screen(read_only: bool, containers: &[&str]) -> AppState {
    let mut session = crate::support::console::demo_session();
    session.read_only = read_only;
    let mut s = crate::support::console::state_for(session, chrono::Utc::now());
    let service = fixtures::service("health/healthy.json");
    let key = ServiceKey::new(service.cluster.clone(), service.name.clone());
    let mut running = fixtures::tasks(&fixtures::load("tasks/payments.json"));
    running.truncate(1);
    running[0].last_status = "RUNNING".into();
    let template = running[0].containers[0].clone();
    running[0].containers = containers
        .iter()
        .map(|name| triage::domain::Container {
            name: name.to_string(),
            ..template.clone()
        })
        .collect();
    s.screen = Screen::Service(key.clone());
    s.service.key = Some(key);
    s.service.detail.data = Some(triage::app::ServiceDetail {
        service,
        running,
        stopped: vec![],
        task_definition: None,
    });
    s
}

fn press(s: &mut AppState, c: char) -> Vec<Effect> {
    update(s, Msg::Key(KeyPress::char(c)))
}

fn message(s: &AppState) -> String {
    s.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

#[test]
fn one_container_goes_straight_to_the_session() {
    let mut s = on_service_screen(false, &["api"]);
    let effects = press(&mut s, 'x');
    let [Effect::PrepareExec(ask)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(ask.container.as_deref(), Some("api"));
    assert_eq!(ask.command, "/bin/sh");
    assert!(ask.task.starts_with("arn:aws:ecs:"), "{}", ask.task);
    assert!(
        message(&s).contains("opening a shell into"),
        "{}",
        message(&s)
    );
}

#[test]
fn several_containers_are_picked_from_a_list_narrowed_by_typing() {
    let mut s = on_service_screen(false, &["api", "envoy", "xray"]);
    assert!(press(&mut s, 'x').is_empty());
    let Overlay::Pick(picker) = &s.overlay else {
        panic!("a picker: {:?}", s.overlay)
    };
    assert_eq!(picker.visible().len(), 3);
    for c in "env".chars() {
        press(&mut s, c);
    }
    let Overlay::Pick(picker) = &s.overlay else {
        panic!()
    };
    assert_eq!(picker.visible().len(), 1);
    let effects = update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    let [Effect::PrepareExec(ask)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(ask.container.as_deref(), Some("envoy"));
    assert_eq!(s.overlay, Overlay::None);

    // Esc cancels without asking anything.
    press(&mut s, 'x');
    let effects = update(&mut s, Msg::Key(KeyPress::plain(Key::Esc)));
    assert!(effects.is_empty());
    assert_eq!(s.overlay, Overlay::None);
}

#[test]
fn read_only_refuses_before_anything_is_asked() {
    let mut s = on_service_screen(true, &["api"]);
    assert!(press(&mut s, 'x').is_empty());
    assert!(
        message(&s).contains("refused in read-only mode"),
        "{}",
        message(&s)
    );
}

#[test]
fn a_refusal_is_said_and_an_open_session_is_handed_over_then_the_service_is_read_again() {
    let mut s = on_service_screen(false, &["api"]);
    let effects = update(
        &mut s,
        Msg::Worker(WorkerResult::ExecReady(Err(
            "`session-manager-plugin` is not installed".into(),
        ))),
    );
    assert!(effects.is_empty());
    assert!(message(&s).contains("no shell: `session-manager-plugin` is not installed"));

    let request = ExecRequest {
        cluster: "prod-web".into(),
        task: "arn:aws:ecs:eu-west-1:1:task/prod-web/abc".into(),
        container: "api".into(),
        command: "/bin/sh".into(),
        interactive: true,
    };
    let prepared = triage::domain::exec::PreparedExec {
        request: request.clone(),
        task_arn: request.task.clone(),
        handoff: Handoff::Plugin {
            program: "/usr/bin/session-manager-plugin".into(),
            args: vec![],
        },
    };
    let effects = update(
        &mut s,
        Msg::Worker(WorkerResult::ExecReady(Ok(Box::new(prepared)))),
    );
    assert!(matches!(&effects[..], [Effect::HandOver(_)]), "{effects:?}");

    let effects = update(
        &mut s,
        Msg::Worker(WorkerResult::ExecEnded {
            request,
            result: Ok(ExecEnded {
                exit_code: Some(0),
                seconds: 42,
            }),
        }),
    );
    assert!(message(&s).contains("back from the shell into api (exit 0, 42 s)"));
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::FetchServiceDetail { .. })));
}

#[tokio::test]
async fn the_demo_opens_a_simulated_shell_and_refuses_where_exec_is_off() {
    let (_clock, demo) = crate::support::demo::demo();
    use triage::domain::ports::EcsPort;
    let running = demo
        .tasks(
            "prod-web",
            "backend-api",
            triage::domain::TaskState::Running,
        )
        .await
        .unwrap();
    let ask = ExecAsk {
        cluster: "prod-web".into(),
        task: running[0].arn.clone(),
        container: None,
        command: "/bin/sh".into(),
        pair: Default::default(),
    };
    // No plugin is needed for the demo.
    let prepared = triage::workers::exec::prepare(&demo, &ask, false, None)
        .await
        .unwrap();
    let Handoff::Simulated(shell) = &prepared.handoff else {
        panic!("{:?}", prepared.handoff)
    };
    let mut input = std::io::Cursor::new(b"hostname\nenv\nexit\n".to_vec());
    let mut output = Vec::new();
    let code = triage::workers::exec::run_simulated(shell, &mut input, &mut output).unwrap();
    assert_eq!(code, Some(0));
    let output = String::from_utf8(output).unwrap();
    assert!(output.contains("simulated shell"), "{output}");
    assert!(output.contains("ip-10-0-"), "{output}");
    assert!(
        output.contains("DATABASE_URL=… (values are not simulated)"),
        "{output}"
    );

    let weaviate = demo
        .tasks("prod-data", "weaviate", triage::domain::TaskState::Running)
        .await
        .unwrap();
    let ask = ExecAsk {
        cluster: "prod-data".into(),
        task: weaviate[0].arn.clone(),
        ..ask
    };
    let err = triage::workers::exec::prepare(&demo, &ask, false, None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("ECS Exec is off on service weaviate"), "{err}");
}
