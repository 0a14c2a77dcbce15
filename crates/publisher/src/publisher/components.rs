//! Components as admins name and remove them: each a change of the feed like a notice.

use chrono::Utc;
use svetofor_feed::Component;

use super::*;
use crate::notices::{self, ComponentSettings};
use svetofor_store::AuditAction;

impl Publisher {
    /// Names a component (creating it if new); it stays in the feed from then on.
    pub async fn set_component(
        &self,
        id: &str,
        req: ComponentSettings,
        actor: String,
    ) -> Result<Component, PublishError> {
        let detail = serde_json::to_value(&req).unwrap_or_default();
        let component = notices::named_component(id, req)?;
        let mut state = self.state.lock().await;
        let mut tries = 0;
        loop {
            let _turn = self.my_turn(&mut state).await?;
            let now = Utc::now();
            let audit = audit_line(
                now,
                actor.clone(),
                AuditAction::ComponentSet,
                &component.id,
                detail.clone(),
            );
            let edit = Edit::SetComponent(component.clone());
            match self.commit(&mut state, edit, Some(audit), now).await {
                Ok(()) => {
                    self.published(state).await;
                    return Ok(component);
                }
                Err(e) => self.again(&mut state, e, &mut tries).await?,
            }
        }
    }

    /// Refuses the first of `ids` that is not a component (an admin named it, or a notice in
    /// the feed does), unless the request said to add new ones.
    pub(super) fn known(
        components: &[Component],
        ids: &[String],
        add_new: bool,
    ) -> Result<(), notices::Rejected> {
        let Some(id) = ids
            .iter()
            .find(|id| !add_new && !components.iter().any(|c| &c.id == *id))
        else {
            return Ok(());
        };
        let mut known: Vec<&str> = components.iter().map(|c| c.id.as_str()).collect();
        known.sort_unstable();
        let listed = match known.len() {
            0 => "there are none yet".to_owned(),
            n if n > 20 => format!("known are {}, …", known[..20].join(", ")),
            _ => format!("known are {}", known.join(", ")),
        };
        Err(notices::Rejected {
            field: "components".to_owned(),
            message: format!(
                "no component \"{id}\" ({listed}): an admin adds one with PUT \
                 /api/v1/components/{{id}} (svetoforctl component set), or send \
                 \"new_components\": true (svetoforctl: --new-components) to add it as it is \
                 written"
            ),
            why: notices::Why::UnknownComponent,
            value: Some(id.clone()),
        })
    }

    /// Removes a component no open notice names.
    pub async fn remove_component(&self, id: &str, actor: String) -> Result<(), PublishError> {
        let id = notices::component_id(id)?;
        let mut state = self.state.lock().await;
        let mut tries = 0;
        loop {
            let _turn = self.my_turn(&mut state).await?;
            if !state.components.iter().any(|c| c.id == id) {
                return Err(PublishError::NoComponent(id));
            }
            if let Some(n) = state
                .notices
                .values()
                .find(|n| !n.state.is_final() && n.components.contains(&id))
            {
                return Err(PublishError::Rejected(notices::Rejected {
                    field: "id".to_owned(),
                    why: notices::Why::Other,
                    value: None,
                    message: format!(
                        "component \"{id}\" is named by open notice {}: close it, or post the \
                         change without the component, first",
                        n.id
                    ),
                }));
            }
            let now = Utc::now();
            let audit = audit_line(
                now,
                actor.clone(),
                AuditAction::ComponentRemove,
                &id,
                serde_json::Value::Null,
            );
            let edit = Edit::RemoveComponent(id.clone());
            match self.commit(&mut state, edit, Some(audit), now).await {
                Ok(()) => {
                    self.published(state).await;
                    return Ok(());
                }
                Err(e) => self.again(&mut state, e, &mut tries).await?,
            }
        }
    }
}
