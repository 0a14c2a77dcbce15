//! What keeps a book's Russian and English catalogues in step: their keys and the variables
//! each message uses, read from the Fluent source (for tests; no Fluent needed).

/// The message keys of a Fluent source, in order.
pub fn keys_of(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once(" = ").or_else(|| l.split_once(" =")))
        .map(|(k, _)| k.trim().to_owned())
        .collect()
}

/// The variables (`$name`) each message of a Fluent source uses, by key.
pub fn variables_of(source: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut current: Option<String> = None;
    for line in source.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if line.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && let Some((k, _)) = line.split_once(" =").or_else(|| line.split_once('='))
        {
            current = Some(k.trim().to_owned());
        }
        let Some(key) = &current else { continue };
        let vars = out.entry(key.clone()).or_default();
        let mut rest = line;
        while let Some(i) = rest.find('$') {
            rest = &rest[i + 1..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if !name.is_empty() && !vars.contains(&name) {
                vars.push(name);
            }
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// Why two catalogues of one book are not in step, or `Ok` when they are: the same keys in
/// the same order, and each message with the same variables.
pub fn check(ru: &str, en: &str) -> Result<(), String> {
    let (rk, ek) = (keys_of(ru), keys_of(en));
    if rk != ek {
        let only_ru: Vec<_> = rk.iter().filter(|k| !ek.contains(k)).collect();
        let only_en: Vec<_> = ek.iter().filter(|k| !rk.contains(k)).collect();
        return Err(format!(
            "keys differ: only in Russian {only_ru:?}, only in English {only_en:?} (or the order)"
        ));
    }
    let (rv, ev) = (variables_of(ru), variables_of(en));
    for (key, vars) in &rv {
        if ev.get(key) != Some(vars) {
            return Err(format!(
                "{key}: Russian uses {vars:?}, English {:?}",
                ev.get(key)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_out_of_step_are_told_apart() {
        let ru = "a = А { $n }\nb = Б\n";
        assert!(check(ru, "a = A { $n }\nb = B\n").is_ok());
        assert!(check(ru, "a = A\nb = B\n").unwrap_err().contains("a:"));
        assert!(
            check(ru, "a = A { $n }\n")
                .unwrap_err()
                .contains("only in Russian")
        );
    }
}
