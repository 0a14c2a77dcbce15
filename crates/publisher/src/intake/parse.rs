//! What monitoring tools send, read into one shape: an alert with a key (the same alert
//! sent again has the same key), firing or resolved, how bad, a summary and labels. Pure.

use std::collections::BTreeMap;

use serde_json::Value;
use svetofor_feed::Severity;

/// An alert, whatever tool sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// One incident's key within its source: Alertmanager's group key, Zabbix's event id,
    /// Uptime Kuma's monitor, or the sender's own key.
    pub key: String,
    pub firing: bool,
    pub severity: Severity,
    pub summary: String,
    pub description: String,
    pub labels: BTreeMap<String, String>,
}

/// Why a payload was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn labels(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| text(v).map(|t| (k.clone(), t)))
                .collect()
        })
        .unwrap_or_default()
}

/// `critical`/`page`/`disaster`/`high` → red, `warning`/`average` → yellow, the rest green;
/// an unknown word is yellow (something is wrong, and a person decides).
pub fn severity_of(word: &str) -> Severity {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" | "page" | "disaster" | "high" | "error" | "red" | "down" | "emergency" => {
            Severity::Red
        }
        "info" | "information" | "informational" | "not classified" | "ok" | "green" | "none" => {
            Severity::Green
        }
        _ => Severity::Yellow,
    }
}

fn need<'a>(v: &'a Value, field: &str) -> Result<&'a Value, Unreadable> {
    match v.get(field) {
        Some(x) if !x.is_null() => Ok(x),
        _ => Err(Unreadable(format!("\"{field}\" is missing"))),
    }
}

/// An Alertmanager (or Grafana, which sends the same shape) webhook: one alert for the whole
/// group, firing while any of its alerts fires, as bad as the worst.
pub fn alertmanager(v: &Value) -> Result<Alert, Unreadable> {
    let alerts = need(v, "alerts")?
        .as_array()
        .ok_or_else(|| Unreadable("\"alerts\" is not a list".into()))?;
    let key = v
        .get("groupKey")
        .and_then(text)
        .or_else(|| {
            alerts
                .first()
                .and_then(|a| a.get("fingerprint"))
                .and_then(text)
        })
        .ok_or_else(|| Unreadable("neither \"groupKey\" nor a fingerprint".into()))?;
    let firing = match v.get("status").and_then(Value::as_str) {
        Some(s) => s == "firing",
        None => alerts.iter().any(|a| a["status"] == "firing"),
    };
    let common = labels(&v["commonLabels"]);
    let annotations = labels(&v["commonAnnotations"]);
    let first = alerts.first().cloned().unwrap_or(Value::Null);
    let first_annotations = labels(&first["annotations"]);
    let severity = alerts
        .iter()
        .map(|a| severity_of(a["labels"]["severity"].as_str().unwrap_or("")))
        .max()
        .unwrap_or(Severity::Yellow);
    let pick = |name: &str| {
        annotations
            .get(name)
            .or_else(|| first_annotations.get(name))
            .cloned()
    };
    let summary = pick("summary")
        .or_else(|| v.get("title").and_then(text))
        .or_else(|| common.get("alertname").cloned())
        .or_else(|| labels(&first["labels"]).get("alertname").cloned())
        .unwrap_or_else(|| "Alert".to_owned());
    let description = pick("description").unwrap_or_default();
    let mut all = labels(&first["labels"]);
    all.extend(common);
    Ok(Alert {
        key,
        firing,
        severity,
        summary,
        description,
        labels: all,
    })
}

/// The payload of the Zabbix media type Svetofor ships (`contrib/zabbix/`).
pub fn zabbix(v: &Value) -> Result<Alert, Unreadable> {
    let key = need(v, "event_id")
        .and_then(|x| text(x).ok_or_else(|| Unreadable("\"event_id\" is not text".into())))?;
    let status = v["status"]
        .as_str()
        .unwrap_or("PROBLEM")
        .to_ascii_uppercase();
    let mut labels = labels(&v["tags"]);
    if let Some(host) = v.get("host").and_then(text) {
        labels.insert("host".into(), host);
    }
    Ok(Alert {
        key,
        firing: !matches!(status.as_str(), "RESOLVED" | "OK" | "0"),
        severity: severity_of(v["severity"].as_str().unwrap_or("")),
        summary: v
            .get("subject")
            .or_else(|| v.get("name"))
            .and_then(text)
            .unwrap_or_else(|| "Zabbix problem".into()),
        description: v.get("message").and_then(text).unwrap_or_default(),
        labels,
    })
}

/// An Uptime Kuma webhook: one alert per monitor, down (0) is firing and red.
pub fn uptime_kuma(v: &Value) -> Result<Alert, Unreadable> {
    let monitor = need(v, "monitor")?;
    let key = monitor
        .get("id")
        .and_then(text)
        .or_else(|| monitor.get("name").and_then(text))
        .ok_or_else(|| Unreadable("the monitor has no id".into()))?;
    let name = monitor
        .get("name")
        .and_then(text)
        .unwrap_or_else(|| key.clone());
    let down = v["heartbeat"]["status"].as_i64() == Some(0);
    let mut labels = BTreeMap::new();
    labels.insert("monitor".into(), name.clone());
    if let Some(url) = monitor.get("url").and_then(text) {
        labels.insert("url".into(), url);
    }
    Ok(Alert {
        key,
        firing: down,
        severity: if down { Severity::Red } else { Severity::Green },
        summary: format!("{name}: {}", if down { "down" } else { "up" }),
        description: v
            .get("msg")
            .or_else(|| v["heartbeat"].get("msg"))
            .and_then(text)
            .unwrap_or_default(),
        labels,
    })
}

/// The generic shape: `{"key", "status": "firing"|"resolved", "severity", "title",
/// "description", "labels"}`.
pub fn generic(v: &Value) -> Result<Alert, Unreadable> {
    let key = need(v, "key")
        .and_then(|x| text(x).ok_or_else(|| Unreadable("\"key\" is not text".into())))?;
    let status = v["status"].as_str().unwrap_or("firing");
    if status != "firing" && status != "resolved" {
        return Err(Unreadable(format!(
            "\"status\" is \"{status}\"; write \"firing\" or \"resolved\""
        )));
    }
    Ok(Alert {
        key,
        firing: status == "firing",
        severity: severity_of(v["severity"].as_str().unwrap_or("warning")),
        summary: need(v, "title")
            .and_then(|x| text(x).ok_or_else(|| Unreadable("\"title\" is not text".into())))?,
        description: v.get("description").and_then(text).unwrap_or_default(),
        labels: labels(&v["labels"]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_alertmanager_group_is_one_alert_as_bad_as_its_worst() {
        let v = json!({
            "version": "4", "groupKey": "{}:{alertname=\"PaymentsDown\"}", "status": "firing",
            "commonLabels": {"alertname": "PaymentsDown", "service": "payments"},
            "commonAnnotations": {"summary": "Payments API is down"},
            "alerts": [
                {"status": "firing", "labels": {"severity": "warning", "instance": "a"}, "fingerprint": "1"},
                {"status": "firing", "labels": {"severity": "critical", "instance": "b"}, "fingerprint": "2"}
            ]
        });
        let a = alertmanager(&v).unwrap();
        assert_eq!(a.key, "{}:{alertname=\"PaymentsDown\"}");
        assert!(a.firing);
        assert_eq!(a.severity, Severity::Red);
        assert_eq!(a.summary, "Payments API is down");
        assert_eq!(a.labels["service"], "payments");
        assert_eq!(
            alertmanager(&json!({"status": "firing"})),
            Err(Unreadable("\"alerts\" is missing".into()))
        );
    }

    #[test]
    fn zabbix_kuma_and_generic_read_their_own_words() {
        let z = zabbix(
            &json!({"event_id": 42, "status": "RESOLVED", "severity": "Disaster",
            "subject": "DB down", "host": "db1"}),
        )
        .unwrap();
        assert_eq!(
            (z.key.as_str(), z.firing, z.severity),
            ("42", false, Severity::Red)
        );
        let k = uptime_kuma(&json!({"monitor": {"id": 3, "name": "Site"}, "heartbeat": {"status": 0}, "msg": "timeout"})).unwrap();
        assert_eq!(
            (k.key.as_str(), k.firing, k.summary.as_str()),
            ("3", true, "Site: down")
        );
        let g = generic(&json!({"key": "x", "status": "resolved", "title": "t"})).unwrap();
        assert!(!g.firing);
        assert!(generic(&json!({"key": "x", "status": "bad", "title": "t"})).is_err());
    }
}
