//! File arguments with wildcards. cmd.exe and PowerShell hand `様式\*.xlsx` to the program
//! as it is typed (only unix shells expand it), so shinko expands `*`, `?` and `[…]` itself,
//! the same way on every platform: a pattern the shell already expanded is plain paths here.

use std::path::PathBuf;

use color_eyre::eyre::{Result, bail};

/// Each argument as given, or the files its wildcard matches (sorted, so runs are repeatable).
pub fn expand(args: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for a in args {
        let text = a.to_string_lossy();
        if a.exists() || !text.contains(['*', '?', '[']) {
            out.push(a.clone());
            continue;
        }
        let Ok(paths) = glob::glob(&text) else {
            bail!("「{text}」はファイル名の指定として読めません（* と ? が使えます）");
        };
        let mut found: Vec<PathBuf> = paths.filter_map(|p| p.ok()).filter(|p| p.is_file()).collect();
        if found.is_empty() {
            bail!("「{text}」に一致するファイルがありません");
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_expand_to_matching_files_and_plain_paths_stay() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["東小_記入済.xlsx", "本町小_記入済.xlsx", "メモ.txt"] {
            std::fs::write(dir.path().join(n), "x").unwrap();
        }
        let pattern = dir.path().join("*.xlsx");
        let got = expand(std::slice::from_ref(&pattern)).unwrap();
        let names: Vec<String> = got.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["本町小_記入済.xlsx", "東小_記入済.xlsx"]);
        let plain = dir.path().join("メモ.txt");
        assert_eq!(expand(std::slice::from_ref(&plain)).unwrap(), vec![plain]);
        let none = dir.path().join("*.csv");
        let err = expand(&[none]).unwrap_err().to_string();
        assert!(err.contains("一致するファイルがありません"), "{err}");
    }
}
