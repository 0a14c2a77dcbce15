//! The desktop side of D-Bus: a notification server that records every `Notify` call, a
//! minimal StatusNotifierWatcher (the tray host Xvfb lacks), and readers for the registered
//! tray item's icon and menu.

// zbus's `interface` macro generates undocumented methods for signals.
#![allow(missing_docs)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zbus::object_server::SignalEmitter;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};
use zbus::{Connection, interface};

/// One `Notify` call.
#[derive(Debug, Clone)]
pub struct Notified {
    /// The id returned.
    pub id: u32,
    /// The id the app asked to replace (0: a new notification).
    pub replaces_id: u32,
    pub summary: String,
    pub body: String,
    /// Urgency hint (0 low, 1 normal, 2 critical).
    pub urgency: Option<u8>,
    /// Action keys and labels.
    pub actions: Vec<String>,
}

#[derive(Default)]
struct Recorded {
    calls: Vec<Notified>,
    next_id: u32,
}

struct Notifications(Arc<Mutex<Recorded>>);

#[interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    fn get_capabilities(&self) -> Vec<String> {
        // Announce markup and actions: the app must escape the body and may offer "Details".
        ["body", "body-markup", "actions"]
            .map(String::from)
            .to_vec()
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "svetofor-test-recorder".into(),
            "svetofor".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut r = self.0.lock().expect("recorder");
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            r.next_id += 1;
            r.next_id
        };
        let urgency = hints.get("urgency").and_then(|v| u8::try_from(v).ok());
        r.calls.push(Notified {
            id,
            replaces_id,
            summary,
            body,
            urgency,
            actions,
        });
        id
    }

    fn close_notification(&self, _id: u32) {}

    /// The user clicked a notification or one of its actions.
    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;
}

/// NetworkManager as far as the app listens to it: the signal that the network changed. It
/// cannot run here; this plays it on the test bus (point `DBUS_SYSTEM_BUS_ADDRESS` there).
struct NetworkManager;

#[interface(name = "org.freedesktop.NetworkManager")]
impl NetworkManager {
    /// The overall network state changed (70: connected, global).
    #[zbus(signal)]
    async fn state_changed(emitter: &SignalEmitter<'_>, state: u32) -> zbus::Result<()>;
}

/// A registered tray item: the bus name and object path of its StatusNotifierItem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Unique bus name of the app.
    pub service: String,
    /// Object path.
    pub path: String,
}

struct Watcher(Arc<Mutex<Vec<Item>>>);

#[interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    async fn register_status_notifier_item(
        &self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        // libappindicator passes its object path; others pass a bus name.
        let item = if service.starts_with('/') {
            Item {
                service: sender,
                path: service,
            }
        } else {
            Item {
                service,
                path: "/StatusNotifierItem".into(),
            }
        };
        self.0.lock().expect("watcher").push(item);
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.0
            .lock()
            .expect("watcher")
            .iter()
            .map(|i| format!("{}{}", i.service, i.path))
            .collect()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// The test's end of the session bus.
pub struct DesktopBus {
    conn: Connection,
    recorded: Arc<Mutex<Recorded>>,
    items: Arc<Mutex<Vec<Item>>>,
}

/// dbusmenu's `(ia{sv}av)`: id, properties, children.
type Layout = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

/// One menu entry read over dbusmenu.
#[derive(Debug, Clone)]
pub struct MenuLine {
    /// dbusmenu id (for clicking).
    pub id: i32,
    /// Label as shown.
    pub label: String,
    /// Clickable.
    pub enabled: bool,
}

impl DesktopBus {
    /// Connects to `address` and takes the notification and watcher names.
    pub async fn start(address: &str) -> zbus::Result<DesktopBus> {
        let recorded = Arc::new(Mutex::new(Recorded::default()));
        let items = Arc::new(Mutex::new(Vec::new()));
        let conn = zbus::connection::Builder::address(address)?
            .serve_at(
                "/org/freedesktop/Notifications",
                Notifications(recorded.clone()),
            )?
            .serve_at("/StatusNotifierWatcher", Watcher(items.clone()))?
            .serve_at("/org/freedesktop/NetworkManager", NetworkManager)?
            .name("org.freedesktop.Notifications")?
            .name("org.kde.StatusNotifierWatcher")?
            .name("org.freedesktop.NetworkManager")?
            .build()
            .await?;
        Ok(DesktopBus {
            conn,
            recorded,
            items,
        })
    }

    /// Every `Notify` call so far.
    pub fn notifications(&self) -> Vec<Notified> {
        self.recorded.lock().expect("recorder").calls.clone()
    }

    /// The machine is back on a network (NetworkManager's `StateChanged`).
    pub async fn network_changed(&self) -> zbus::Result<()> {
        let emitter = SignalEmitter::new(&self.conn, "/org/freedesktop/NetworkManager")?;
        NetworkManager::state_changed(&emitter, 70).await
    }

    /// The user clicks a notification.
    pub async fn click_notification(&self, id: u32) -> zbus::Result<()> {
        let emitter = SignalEmitter::new(&self.conn, "/org/freedesktop/Notifications")?;
        Notifications::action_invoked(&emitter, id, "default").await
    }

    /// The tray item the app registered, if any.
    pub fn item(&self) -> Option<Item> {
        self.items.lock().expect("watcher").last().cloned()
    }

    async fn item_property(&self, item: &Item, name: &str) -> zbus::Result<OwnedValue> {
        let proxy = zbus::Proxy::new(
            &self.conn,
            item.service.as_str(),
            item.path.as_str(),
            "org.kde.StatusNotifierItem",
        )
        .await?;
        proxy.get_property::<OwnedValue>(name).await
    }

    /// The item's title, as a tray host lists it.
    pub async fn title(&self, item: &Item) -> zbus::Result<String> {
        let v = self.item_property(item, "Title").await?;
        Ok(String::try_from(v).unwrap_or_default())
    }

    /// The PNG file the tray icon shows (libappindicator gives a path as IconName).
    pub async fn icon_path(&self, item: &Item) -> zbus::Result<String> {
        let v = self.item_property(item, "IconName").await?;
        Ok(String::try_from(v).unwrap_or_default())
    }

    /// The item's menu, exported over dbusmenu at the path its `Menu` property names.
    async fn menu_proxy(&self, item: &Item) -> zbus::Result<zbus::Proxy<'static>> {
        let path = OwnedObjectPath::try_from(self.item_property(item, "Menu").await?)?;
        zbus::Proxy::new(
            &self.conn,
            item.service.clone(),
            path,
            "com.canonical.dbusmenu",
        )
        .await
    }

    /// The tray menu, top level, in order.
    pub async fn menu(&self, item: &Item) -> zbus::Result<Vec<MenuLine>> {
        let proxy = self.menu_proxy(item).await?;
        let (_rev, layout): (u32, Layout) = proxy
            .call("GetLayout", &(0i32, -1i32, Vec::<String>::new()))
            .await?;
        let mut out = vec![];
        for child in layout.2 {
            let Value::Structure(s) = &*child else {
                continue;
            };
            let fields = s.fields();
            let (Some(Value::I32(id)), Some(Value::Dict(props))) = (fields.first(), fields.get(1))
            else {
                continue;
            };
            let get = |key: &str| -> Option<&Value<'_>> {
                props.iter().find_map(|(k, v)| match k {
                    Value::Str(k) if k.as_str() == key => Some(match v {
                        Value::Value(inner) => &**inner,
                        other => other,
                    }),
                    _ => None,
                })
            };
            if let Some(Value::Str(t)) = get("type")
                && t.as_str() == "separator"
            {
                continue;
            }
            let label = match get("label") {
                Some(Value::Str(s)) => s
                    .as_str()
                    .replace("__", "\u{0}")
                    .replace('_', "")
                    .replace('\u{0}', "_"),
                _ => String::new(),
            };
            let enabled = !matches!(get("enabled"), Some(Value::Bool(false)));
            out.push(MenuLine {
                id: *id,
                label,
                enabled,
            });
        }
        Ok(out)
    }

    /// Clicks a tray menu entry.
    pub async fn click_menu(&self, item: &Item, id: i32) -> zbus::Result<()> {
        let proxy = self.menu_proxy(item).await?;
        let data = Value::I32(0);
        proxy
            .call_method("Event", &(id, "clicked", data, 0u32))
            .await?;
        Ok(())
    }

    /// Clicks the menu entry labelled `label`, as a user would; fails if there is none.
    pub async fn click_label(&self, item: &Item, label: &str) {
        let menu = self.menu(item).await.expect("menu");
        let entry = menu
            .iter()
            .find(|l| l.label == label)
            .unwrap_or_else(|| panic!("no {label} in {menu:?}"));
        self.click_menu(item, entry.id).await.expect("click");
    }
}

/// Decodes a PNG into (width, height, RGBA bytes).
pub fn decode_png(bytes: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    buf.truncate(info.buffer_size());
    Some((info.width, info.height, buf))
}

/// Which of the app's tray icons (`icons/tray-*.png`) the tray item shows, by comparing
/// pixels; `unknown icon PATH` when none matches.
pub async fn tray_icon(bus: &DesktopBus, item: &Item) -> Option<String> {
    let path = bus.icon_path(item).await.ok()?;
    let shown = decode_png(&std::fs::read(&path).ok()?)?;
    let icons = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../icons");
    for stem in svetofor_desktop_model::tray::TrayIcon::ALL.map(|i| i.file_stem()) {
        let known = decode_png(&std::fs::read(icons.join(format!("{stem}.png"))).ok()?)?;
        if known == shown {
            return Some(stem.to_owned());
        }
    }
    Some(format!("unknown icon {path}"))
}
