use super::*;

fn presence(room: &str, _user: &str, online: bool) -> ByteString {
    ByteString::from(format!("{room}:{online}"))
}

fn drain(rx: &mut mpsc::Receiver<Out>) -> Vec<String> {
    let mut out = Vec::new();
    while let Ok(item) = rx.try_recv() {
        out.push(match item {
            Out::Room(ev) => ev.frame.to_string(),
            Out::Frame(f) => f.to_string(),
            Out::Joined { room_id } => format!("joined {room_id}"),
            Out::Left { room_id, .. } => format!("left {room_id}"),
            Out::Resume { room_id, .. } => format!("resume {room_id}"),
            Out::Block { user_id, .. } => format!("block {user_id}"),
            Out::Go => "go".to_string(),
        });
    }
    out
}

fn msg(room: &str, from: &str, text: &str) -> RoomEvent {
    RoomEvent {
        room_id: room.into(),
        seq: Some(1),
        from: Some(from.into()),
        echo: true,
        frame: ByteString::from(text.to_string()),
    }
}

#[test]
fn events_reach_subscribers_only_and_presence_is_per_user() {
    let hub = Hub::new(16, 5, presence);
    let mut a = hub.register("a", "sa", false).unwrap();
    let mut b = hub.register("b", "sb", false).unwrap();
    let mut c = hub.register("c", "sc", false).unwrap();
    hub.subscribe(a.id, &["r1".into()]);
    hub.subscribe(b.id, &["r1".into()]);
    hub.subscribe(c.id, &["r2".into()]);
    assert_eq!(drain(&mut a.rx), vec!["r1:true"], "a sees b arrive");
    assert!(drain(&mut b.rx).is_empty());
    hub.publish(msg("r1", "a", "hello"));
    assert_eq!(drain(&mut a.rx), vec!["hello"]);
    assert_eq!(drain(&mut b.rx), vec!["hello"]);
    assert!(drain(&mut c.rx).is_empty(), "no leak to another room");

    // A second connection of `a` does not announce presence again; closing one does not
    // announce offline while the other is open.
    let a2 = hub.register("a", "sa", false).unwrap();
    hub.subscribe(a2.id, &["r1".into()]);
    assert!(drain(&mut b.rx).is_empty());
    hub.unregister(a.id);
    assert!(drain(&mut b.rx).is_empty());
    hub.unregister(a2.id);
    assert_eq!(drain(&mut b.rx), vec!["r1:false"]);
}

#[test]
fn leaving_unsubscribes_every_connection_at_once() {
    let hub = Hub::new(16, 5, presence);
    let mut a = hub.register("a", "sa", false).unwrap();
    let mut b = hub.register("b", "sb", false).unwrap();
    hub.subscribe(a.id, &["r1".into()]);
    hub.subscribe(b.id, &["r1".into()]);
    drain(&mut a.rx);
    hub.leave("b", "r1", "left");
    assert_eq!(drain(&mut b.rx), vec!["left r1"]);
    assert_eq!(drain(&mut a.rx), vec!["r1:false"]);
    hub.publish(msg("r1", "a", "after"));
    assert!(drain(&mut b.rx).is_empty());
    assert!(!hub.is_subscribed(b.id, "r1"));
}

#[test]
fn a_full_queue_closes_for_resync_instead_of_growing() {
    let hub = Hub::new(8, 5, presence);
    let a = hub.register("a", "sa", false).unwrap();
    hub.subscribe(a.id, &["r1".into()]);
    for i in 0..20 {
        hub.publish(msg("r1", "b", &format!("m{i}")));
    }
    assert_eq!(*a.close.borrow(), Some(CloseKind::Resync));
}

#[test]
fn connections_per_user_are_capped() {
    let hub = Hub::new(8, 2, presence);
    let _a = hub.register("a", "s", false).unwrap();
    let _b = hub.register("a", "s", false).unwrap();
    assert!(hub.register("a", "s", false).is_err());
    assert!(hub.register("b", "s", false).is_ok());
}
