//! `component set`, `component retire`: the names employees read for the parts of the
//! product, and retiring ids no notice should use any more (admin).

use std::collections::BTreeMap;

use clap::{Args, Subcommand};
use svetofor_api::ComponentSettings;
use svetofor_feed::Text;

use crate::Failure;
use crate::failure::block_on;
use crate::support::{Conn, client};

/// `component` subcommands.
#[derive(Subcommand)]
pub enum ComponentCmd {
    /// Name a component (it is listed in the feed from then on, so employees can choose to
    /// follow it), or rename it.
    Set(SetArgs),
    /// Retire a component id: it leaves the feed. Refused while an open notice names it.
    Retire {
        #[command(flatten)]
        conn: Conn,
        /// The component id.
        id: String,
    },
}

/// `component set` options.
#[derive(Args)]
pub struct SetArgs {
    #[command(flatten)]
    conn: Conn,
    /// The component id (lower case, as notices name it: `payments`).
    id: String,
    /// Its name in Russian.
    #[arg(long, value_name = "NAME")]
    name_ru: Option<String>,
    /// Its name in English.
    #[arg(long, value_name = "NAME")]
    name_en: Option<String>,
    /// The group it is listed under.
    #[arg(long)]
    group: Option<String>,
}

pub fn run(cmd: ComponentCmd) -> Result<(), Failure> {
    match cmd {
        ComponentCmd::Set(a) => {
            let names: BTreeMap<String, String> = [("ru", a.name_ru), ("en", a.name_en)]
                .into_iter()
                .filter_map(|(lang, n)| n.map(|n| (lang.to_owned(), n)))
                .collect();
            if names.is_empty() {
                return Err(Failure::usage(
                    "give the name employees read: --name-ru \"Платежи\" and/or --name-en \"Payments\"",
                ));
            }
            let settings = ComponentSettings {
                name: Text::Translated(names),
                group: a.group,
            };
            let api = client(&a.conn)?;
            block_on(api.set_component(&a.id, &settings))??;
            eprintln!("Component {} is named.", a.id);
            Ok(())
        }
        ComponentCmd::Retire { conn, id } => {
            let api = client(&conn)?;
            block_on(api.remove_component(&id))??;
            eprintln!("Component {id} is retired.");
            Ok(())
        }
    }
}
