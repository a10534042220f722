//! Setting up the books: `init`, and adding and listing accounts, funds and communes.

use std::io::Write;

use clap::{Args, Subcommand};

use super::{record, Context};
use crate::domain::names::escape_controls;
use crate::domain::privacy::Disclosure;
use crate::domain::Field;
use crate::domain::{Amount, Currency};
use crate::error::{Error, Result};
use crate::render;
use crate::store::master::{Changed, FundEdit};
use crate::store::read::OrgKey;
use crate::store::write::{NameRules, Overdraft, Restriction};
use crate::store::WriteMode;
use crate::store::{read, Ledger};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The ledger's default currency (ISO 4217)
    #[arg(long, default_value = "USD", value_name = "CUR")]
    currency: String,
    /// The organisation keeping the books, shown on reports
    #[arg(long, value_name = "NAME")]
    org: Option<String>,
}

pub fn init(ctx: &Context, args: InitArgs, out: &mut dyn Write) -> Result<()> {
    let currency = Currency::parse_field(Field::CURRENCY, &args.currency)?;
    let org = args
        .org
        .map(|org| crate::domain::names::check_name(Field::ORG, &org))
        .transpose()?;
    let ledger = Ledger::create(&ctx.db, currency, org.as_deref(), &ctx.actor)?;
    writeln!(
        out,
        "created ledger {} (default currency {currency})",
        crate::files::shown(ledger.path())
    )
    .map_err(Error::Output)?;
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add an account, e.g. `assets:bank:banesco` or `liabilities:loans`
    #[command(after_help = "Example:\n  fondo account add liabilities:loans")]
    Add {
        /// Colon-separated name starting with assets, liabilities, equity, income or expenses
        name: String,
        /// An asset account that may go below zero, such as a credit line (every other asset
        /// account refuses a payment it does not hold the money for, on any date)
        #[arg(long)]
        allow_negative: bool,
    },
    /// List the chart of accounts
    #[command(after_help = "Example:\n  fondo account list --format csv")]
    List,
    /// Close an account you added that holds nothing: no transaction may post to it again
    #[command(after_help = "Example:\n  fondo account close assets:bank:old")]
    Close {
        /// The account to close
        #[arg(add = super::complete::accounts())]
        name: String,
    },
}

pub fn account(ctx: &Context, cmd: AccountCommand, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    match cmd {
        AccountCommand::Add { name, allow_negative } => {
            let overdraft = if allow_negative {
                Overdraft::Allowed
            } else {
                Overdraft::Refused
            };
            ledger.write(WriteMode::Commit, |w| w.add_account(&name, overdraft))?;
            let note = if allow_negative {
                " (may go below zero)"
            } else {
                ""
            };
            writeln!(out, "added account {name}{note}").map_err(Error::Output)?;
        }
        AccountCommand::List => {
            render::account_list_table(&read::accounts(ledger.conn())?)
                .write(ctx.format, out)
                .map_err(Error::Output)?;
        }
        AccountCommand::Close { name } => {
            ledger.write(WriteMode::Commit, |w| w.close_account(&name))?;
            writeln!(out, "closed account {name}").map_err(Error::Output)?;
        }
    }
    Ok(())
}

/// The name rules of a command whose only say is `--allow-confusable`.
fn confusable(allow: bool) -> NameRules {
    NameRules {
        confusable: allow,
        ..NameRules::default()
    }
}

/// `changed fund tires: name `Tires` → `Truck tires`; closed false → true`
fn write_changes(out: &mut dyn Write, what: &str, changes: &[Changed]) -> Result<()> {
    let parts: Vec<String> = changes
        .iter()
        .map(|c| format!("{} `{}` → `{}`", c.field, c.from, c.to))
        .collect();
    writeln!(out, "changed {what}: {}", parts.join("; ")).map_err(Error::Output)?;
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum FundCommand {
    /// Add a fund (an earmark); restricted unless --unrestricted
    #[command(
        after_help = "Example:\n  fondo fund add macadamia --name \"Macadamia drying machine\" --target 1000"
    )]
    Add {
        /// Short code, e.g. `lara-cheese` (lower-case letters, digits, `-`, `_`)
        code: String,
        /// A readable name [default: the code]
        #[arg(long)]
        name: Option<String>,
        /// Fundraising target, e.g. `500.00` or `500.00 EUR`
        #[arg(long, value_name = "AMOUNT [CUR]", allow_negative_numbers = true)]
        target: Option<String>,
        /// Money in this fund carries no donor restriction (it may go below zero)
        #[arg(long)]
        unrestricted: bool,
        /// Accept a name that looks like another fund's (the same but for case, accents or
        /// spaces, or letters of another script that look the same)
        #[arg(long)]
        allow_confusable: bool,
    },
    /// List funds with their targets
    #[command(after_help = "Example:\n  fondo fund list")]
    List,
    /// Move money from one fund to another (four postings through equity:transfers)
    #[command(after_help = "Example:\n  fondo fund move 25.00 --from general --to tires")]
    Move(record::FundMoveArgs),
    /// Rename a fund, change or remove its target, or close it once it holds nothing
    #[command(
        after_help = "Example:\n  fondo fund edit tires --name \"Tires for the union's truck\" --target 300"
    )]
    Edit {
        /// The fund's code (it does not change)
        #[arg(add = super::complete::funds())]
        code: String,
        /// Its new readable name
        #[arg(long)]
        name: Option<String>,
        /// Its new fundraising target, e.g. `300.00` or `300.00 EUR`
        #[arg(long, value_name = "AMOUNT [CUR]", conflicts_with = "no_target")]
        target: Option<String>,
        /// Remove its target
        #[arg(long)]
        no_target: bool,
        /// Close it: it takes no new postings (refused while it holds money)
        #[arg(long)]
        close: bool,
        /// Accept a name that looks like another fund's
        #[arg(long)]
        allow_confusable: bool,
    },
}

pub fn fund(ctx: &Context, cmd: FundCommand, out: &mut dyn Write) -> Result<()> {
    match cmd {
        FundCommand::Add {
            code,
            name,
            target,
            unrestricted,
            allow_confusable,
        } => {
            let mut ledger = ctx.open()?;
            let target = target
                .map(|t| amount_with_currency(Field::TARGET, &t, &ledger))
                .transpose()?;
            ledger.write(WriteMode::Commit, |w| {
                w.set_name_rules(confusable(allow_confusable));
                let restriction = if unrestricted {
                    Restriction::Unrestricted
                } else {
                    Restriction::Restricted
                };
                w.add_fund(&code, name.as_deref(), target, restriction)
            })?;
            let kind = if unrestricted {
                "unrestricted"
            } else {
                "restricted"
            };
            match target {
                Some(t) => writeln!(out, "added {kind} fund {code} (target {t})").map_err(Error::Output)?,
                None => writeln!(out, "added {kind} fund {code}").map_err(Error::Output)?,
            }
        }
        FundCommand::List => {
            let ledger = ctx.open()?;
            render::fund_list_table(&read::funds(ledger.conn())?)
                .write(ctx.format, out)
                .map_err(Error::Output)?;
        }
        FundCommand::Move(args) => record::record(ctx, &args, out)?,
        FundCommand::Edit {
            code,
            name,
            target,
            no_target,
            close,
            allow_confusable,
        } => {
            let mut ledger = ctx.open()?;
            let target = match (target, no_target) {
                (Some(t), _) => Some(Some(amount_with_currency(Field::TARGET, &t, &ledger)?)),
                (None, true) => Some(None),
                (None, false) => None,
            };
            let edit = FundEdit { name, target, close };
            let changes = ledger.write(WriteMode::Commit, |w| {
                w.set_name_rules(confusable(allow_confusable));
                w.edit_fund(&code, &edit)
            })?;
            write_changes(out, &format!("fund {code}"), &changes)?;
        }
    }
    Ok(())
}

/// Parses `500.00` (the ledger's currency) or `500.00 EUR`.
fn amount_with_currency(field: Field, text: &str, ledger: &Ledger) -> Result<Amount> {
    let mut parts = text.split_whitespace();
    let (number, code) = (parts.next().unwrap_or(""), parts.next());
    if parts.next().is_some() {
        return Err(Error::invalid(
            field,
            text,
            "write an amount and optionally a currency, e.g. `500.00 USD`",
        ));
    }
    let currency = match code {
        Some(code) => Currency::parse_field(field, code)?,
        None => ledger.currency(),
    };
    Amount::parse_field(field, number, currency)
}

#[derive(Debug, Subcommand)]
pub enum CommuneCommand {
    /// Register a commune; creates its account expenses:grants:<slug>
    #[command(
        after_help = "Example:\n  fondo commune add \"Comuna El Maizal\" --state Lara --slug el-maizal"
    )]
    Add {
        /// The commune's name, e.g. "Comuna El Maizal"
        name: String,
        /// The Venezuelan state it is in, e.g. Lara
        #[arg(long)]
        state: String,
        /// Short code used in commands and accounts [default: made from the name]
        #[arg(long)]
        slug: Option<String>,
        /// Accept a name that looks like another commune's (the same but for case, accents
        /// or spaces, or letters of another script that look the same)
        #[arg(long)]
        allow_confusable: bool,
    },
    /// List communes
    #[command(after_help = "Example:\n  fondo commune list")]
    List,
    /// Correct a commune's name or state (its slug and account stay)
    #[command(after_help = "Example:\n  fondo commune edit el-maizal --state Lara")]
    Edit {
        /// The commune's slug or name
        #[arg(add = super::complete::communes())]
        commune: String,
        /// Its corrected name
        #[arg(long)]
        name: Option<String>,
        /// Its corrected state
        #[arg(long)]
        state: Option<String>,
        /// Accept a name that looks like another commune's
        #[arg(long)]
        allow_confusable: bool,
    },
}

pub fn commune(ctx: &Context, cmd: CommuneCommand, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    match cmd {
        CommuneCommand::Add {
            name,
            state,
            slug,
            allow_confusable,
        } => {
            let slug = ledger.write(WriteMode::Commit, |w| {
                w.set_name_rules(confusable(allow_confusable));
                w.add_commune(&name, &state, slug.as_deref())
            })?;
            writeln!(
                out,
                "added commune {slug} ({}, {}) with account expenses:grants:{slug}",
                escape_controls(&name),
                escape_controls(&state)
            )
            .map_err(Error::Output)?;
        }
        CommuneCommand::List => {
            render::commune_list_table(&read::communes(ledger.conn())?)
                .write(ctx.format, out)
                .map_err(Error::Output)?;
        }
        CommuneCommand::Edit {
            commune,
            name,
            state,
            allow_confusable,
        } => {
            let changes = ledger.write(WriteMode::Commit, |w| {
                w.set_name_rules(confusable(allow_confusable));
                w.edit_commune(&commune, name.as_deref(), state.as_deref())
            })?;
            write_changes(out, &format!("commune {commune}"), &changes)?;
        }
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// The fewest different donors a published figure may cover (at least 3) [default: 5]
    #[arg(long, value_name = "N")]
    min_donors: Option<i64>,
    /// The largest share of a published figure one donor may have, in percent (at most 50)
    /// [default: 50]
    #[arg(long, value_name = "PERCENT")]
    max_share: Option<i64>,
    #[command(flatten)]
    organisation: OrganisationArgs,
}

/// The organisation block that donor statements print; "" clears a line.
#[derive(Debug, Args)]
pub struct OrganisationArgs {
    /// The organisation's name, as letters and reports show it
    #[arg(long, value_name = "NAME")]
    org: Option<String>,
    /// Its postal address for donor statements (write \n-separated lines in one argument)
    #[arg(long, value_name = "TEXT")]
    address: Option<String>,
    /// Its tax id, printed on donor statements
    #[arg(long, value_name = "ID")]
    tax_id: Option<String>,
    /// The sentence donor statements end with, e.g. "No goods or services were provided in
    /// exchange for these gifts."
    #[arg(long, value_name = "TEXT")]
    no_goods: Option<String>,
}

impl OrganisationArgs {
    /// The lines given, checked: a name as a name, the others as text; "" clears a line.
    fn changes(&self) -> Result<Vec<(OrgKey, String)>> {
        let given = [
            (OrgKey::Name, Field::ORG, &self.org),
            (OrgKey::Address, Field::ADDRESS, &self.address),
            (OrgKey::TaxId, Field::TAX_ID, &self.tax_id),
            (OrgKey::NoGoods, Field::NO_GOODS, &self.no_goods),
        ];
        let mut changes = Vec::new();
        for (key, field, value) in given {
            let checked = match value.as_deref() {
                None => continue,
                Some("") if key != OrgKey::Name => String::new(),
                Some(name) if key == OrgKey::Name => crate::domain::names::check_name(field, name)?,
                Some(text) => crate::domain::names::check_text(field, &text.replace("\\n", "\n"))?,
            };
            changes.push((key, checked));
        }
        Ok(changes)
    }
}

pub fn settings(ctx: &Context, args: SettingsArgs, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    if args.min_donors.is_some() || args.max_share.is_some() {
        let current = read::disclosure(ledger.conn())?;
        let min_donors = args.min_donors.unwrap_or(current.min_donors);
        let max_share = args.max_share.unwrap_or(current.max_share_percent);
        let rules = Disclosure::new(min_donors, max_share).map_err(|problem| {
            let (flag, value) = if min_donors < Disclosure::MIN_DONORS_FLOOR {
                (Field::MIN_DONORS, min_donors)
            } else {
                (Field::MAX_SHARE, max_share)
            };
            Error::invalid(flag, value.to_string(), problem)
        })?;
        ledger.write(WriteMode::Commit, |w| w.set_disclosure(rules))?;
    }
    let organisation = args.organisation.changes()?;
    if !organisation.is_empty() {
        ledger.write(WriteMode::Commit, |w| {
            organisation
                .iter()
                .try_for_each(|(key, value)| w.set_organisation(*key, value))
        })?;
    }
    let rules = read::disclosure(ledger.conn())?;
    let org = read::meta(ledger.conn(), "org")?.unwrap_or_default();
    let org_block = read::organisation(ledger.conn())?;
    let mut rows = vec![
        ("organisation", escape_controls(&org)),
        ("currency", ledger.currency().code().to_string()),
        ("min-donors", rules.min_donors.to_string()),
        ("max-share", format!("{}%", rules.max_share_percent)),
    ];
    // The rest of the organisation block, only where set: most ledgers never print letters.
    for (key, value) in [
        ("address", &org_block.address),
        ("tax-id", &org_block.tax_id),
        ("no-goods", &org_block.no_goods),
    ] {
        if let Some(value) = value {
            rows.push((key, escape_controls(value)));
        }
    }
    match ctx.format {
        render::Format::Json => {
            let object: serde_json::Map<String, serde_json::Value> = rows
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
                .collect();
            writeln!(out, "{}", serde_json::Value::Object(object)).map_err(Error::Output)?;
        }
        _ => {
            for (key, value) in rows {
                writeln!(out, "{key}: {value}").map_err(Error::Output)?;
            }
        }
    }
    Ok(())
}
