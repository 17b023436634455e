//! clap in Japanese: headings, the help and version flags, and the parse errors a user meets
//! (a missing argument, an unknown one, a value that is not allowed). clap has no locale, so
//! the command tree is rewritten once at start and errors are told from their kind and context.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

const TEMPLATE: &str = "{before-help}{about-with-newline}\n使い方: {usage}\n\n{all-args}{after-help}";

/// The command tree with Japanese headings and help texts, every subcommand included.
pub fn command(cmd: Command) -> Command {
    let top = cmd.get_name() == "shinko";
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("コマンド")
        .subcommand_value_name("コマンド")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help("使い方を表示する"));
    if top {
        cmd = cmd
            .disable_version_flag(true)
            .arg(Arg::new("version").short('V').long("version").action(ArgAction::Version).help("版を表示する"));
    }
    let ids: Vec<(String, bool)> = cmd.get_arguments().map(|a| (a.get_id().to_string(), a.is_positional())).collect();
    for (id, positional) in ids {
        cmd = cmd.mut_arg(id, |a| a.help_heading(if positional { "引数" } else { "オプション" }));
    }
    cmd.mut_subcommands(command)
}

/// A parse error as a Japanese message: what is wrong, then how to get help. `--help` and
/// `--version` are not errors: None (clap prints them itself).
pub fn message(e: &clap::Error, cmd: &mut Command) -> Option<String> {
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let what = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => return None,
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => "コマンドを指定してください".to_string(),
        ErrorKind::MissingRequiredArgument => {
            format!("必要な引数が指定されていません: {}", ctx(ContextKind::InvalidArg))
        }
        ErrorKind::MissingSubcommand => "コマンドを指定してください".to_string(),
        ErrorKind::UnknownArgument => format!("この引数はありません: {}", ctx(ContextKind::InvalidArg)),
        ErrorKind::InvalidSubcommand => format!("このコマンドはありません: {}", ctx(ContextKind::InvalidSubcommand)),
        ErrorKind::InvalidValue => {
            let allowed = ctx(ContextKind::ValidValue);
            let choices = if allowed.is_empty() { String::new() } else { format!("（選べる値: {allowed}）") };
            format!(
                "{} に「{}」は指定できません{choices}",
                ctx(ContextKind::InvalidArg),
                ctx(ContextKind::InvalidValue)
            )
        }
        ErrorKind::ValueValidation => format!("{} の値が正しくありません", ctx(ContextKind::InvalidArg)),
        ErrorKind::ArgumentConflict => {
            format!("{} と {} は一緒に指定できません", ctx(ContextKind::InvalidArg), ctx(ContextKind::PriorArg))
        }
        ErrorKind::TooManyValues => format!("{} が多すぎます", ctx(ContextKind::InvalidArg)),
        ErrorKind::NoEquals | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{} の値の数が違います", ctx(ContextKind::InvalidArg))
        }
        _ => "コマンドの指定が正しくありません".to_string(),
    };
    // The usage of the command that was being read (the subcommand), as clap knows it.
    let usage = match e.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(u)) => u.to_string(),
        _ => cmd.render_usage().to_string(),
    };
    let usage = usage.replace("Usage:", "使い方:");
    Some(format!("エラー: {what}\n\n{usage}\n\n詳しくは --help を付けて実行してください"))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::cli::Cli;

    fn parse(args: &[&str]) -> clap::Error {
        command(Cli::command()).try_get_matches_from(args).unwrap_err()
    }

    #[test]
    fn help_and_errors_speak_japanese() {
        let mut cmd = command(Cli::command());
        let help = cmd.render_help().to_string();
        assert!(
            help.contains("使い方: shinko") && help.contains("コマンド:") && help.contains("オプション:"),
            "{help}"
        );
        assert!(help.contains("使い方を表示する") && !help.contains("Print help") && !help.contains("Usage"), "{help}");
        let sub = cmd.find_subcommand_mut("ledger").unwrap().render_help().to_string();
        assert!(!sub.contains("Print") && sub.contains("コマンド:"), "{sub}");

        let e = parse(&["shinko", "ledger", "add"]);
        let text = message(&e, &mut command(Cli::command())).unwrap();
        assert!(text.starts_with("エラー: 必要な引数が指定されていません: --number"), "{text}");
        assert!(text.contains("使い方: shinko ledger add --number"), "the usage of the command typed: {text}");
        assert!(!text.contains("error:") && !text.contains("the following"), "{text}");
        let e = parse(&["shinko", "ledger", "list", "--colour"]);
        assert!(message(&e, &mut command(Cli::command())).unwrap().contains("この引数はありません: --colour"));
        let e = parse(&["shinko", "minutes", "--meeting", "1", "--format", "pdf", "--out", "a"]);
        let text = message(&e, &mut command(Cli::command())).unwrap();
        assert!(
            text.contains("--format") && text.contains("「pdf」は指定できません") && text.contains("docx"),
            "{text}"
        );
        assert!(message(&parse(&["shinko", "--help"]), &mut command(Cli::command())).is_none());
    }
}
