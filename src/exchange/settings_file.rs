//! Reading the user's own settings files (config.toml, keys.toml). Notepad on a Japanese
//! Windows saves as UTF-8 (with or without a BOM) or, as 「ANSI」, Shift_JIS: all are read.

use std::path::Path;

/// The file's text; the error is one Japanese sentence naming the file and the reason.
pub fn read(path: &Path, what: &str) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{what} {} を読めません: {e}", path.display()))?;
    decode(&bytes).map_err(|why| format!("{what} {}: {why}", path.display()))
}

/// UTF-8 (a BOM is dropped) or Shift_JIS.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(
            "文字コードが UTF-16（メモ帳の「Unicode」）です。メモ帳で「UTF-8」を選んで保存し直してください".into()
        );
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors || text.contains('\0') {
        return Err(
            "文字コードが UTF-8 でも Shift_JIS でもありません。メモ帳で「UTF-8」を選んで保存し直してください".into()
        );
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_and_shift_jis_all_read_and_garbage_is_named() {
        let text = "[municipality]\nname = \"みなと市\"\n";
        assert_eq!(decode(text.as_bytes()).unwrap(), text);
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(decode(&bom).unwrap(), text);
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        assert_eq!(decode(&sjis).unwrap(), text);
        let err = decode(&[0x82, 0xA0, 0xFF, 0xFE, 0x80]).unwrap_err();
        assert!(err.contains("Shift_JIS"), "{err}");
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("[a]".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert!(decode(&utf16).unwrap_err().contains("UTF-16"));
    }
}
