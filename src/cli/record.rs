//! The recording commands. Each parses its arguments into a domain builder's input, records
//! the transaction in one write and prints the id it created (or, with --dry-run, would).

use std::io::Write;

use clap::Args;

use super::{parse_txn_id, Context, CurrencyArg};
use crate::domain::builders::{self, Conversion, Donation, Header, Recipient, Send};
use crate::domain::money::parse_decimal;
use crate::domain::names::{check_name, GENERAL_FUND, UNION_SLUG};
use crate::domain::Field;
use crate::domain::{Amount, Currency, NewPosting, NewTransaction};
use crate::error::{Error, Result};
use crate::render::{self, Recorded};
use crate::store::locks::DateRules;
use crate::store::read::StoredTransaction;
use crate::store::write::{Confirmation, Confirmed, NameRules};
use crate::store::WriteMode;
use crate::store::{read, Ledger};

/// Where a donation's or a send's fee is booked, when not where the command implies.
#[derive(Debug, Args)]
pub struct FeeToArgs {
    /// The kind of fee: expenses:fees:processor, :wire, :bank or another expenses account
    /// [default: processor for a gift into the processor, bank for other gifts, wire for a send]
    #[arg(long, value_name = "ACCOUNT", requires = "fee", add = super::complete::accounts())]
    fee_account: Option<String>,
    /// The fund the fee is charged to, which pays it from its own money [default: the
    /// transaction's fund]
    #[arg(long, value_name = "FUND", requires = "fee", add = super::complete::funds())]
    fee_fund: Option<String>,
}

impl FeeToArgs {
    fn fee_to(&self) -> builders::FeeTo {
        builders::FeeTo {
            account: self.fee_account.clone(),
            fund: self.fee_fund.clone(),
        }
    }
}

/// What the treasurer says of a donor whose name looks like an existing donor's.
#[derive(Debug, Args)]
pub struct LookAlikeArgs {
    /// The donor is not the existing donor whose name differs only in case, accents or
    /// spaces: record the name as given, as a new donor
    #[arg(long)]
    new_donor: bool,
    /// Accept a name that can be mistaken for an existing one (letters of another script
    /// that look the same, such as a Cyrillic М for a Latin M)
    #[arg(long)]
    allow_confusable: bool,
}

impl LookAlikeArgs {
    /// The name rules these flags make, for a command that names the donor with `field`.
    pub(super) fn rules(&self, field: Field) -> NameRules {
        NameRules {
            new_donor: self.new_donor,
            confusable: self.allow_confusable,
            donor_field: field,
            ..NameRules::default()
        }
    }
}

/// Options every recording command shares.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Date of the transaction: YYYY-MM-DD, today or yesterday [default: today]
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// External reference (receipt, bank or processor id); unique in the ledger
    #[arg(long = "ref", value_name = "REF")]
    reference: Option<String>,
    /// A note kept with the transaction
    #[arg(long, value_name = "TEXT")]
    memo: Option<String>,
    /// Description [default: made from the command and its names]
    #[arg(long = "desc", value_name = "TEXT")]
    description: Option<String>,
    /// Show the postings that would be recorded, and write nothing
    #[arg(long)]
    pub(super) dry_run: bool,
    #[command(flatten)]
    pub(super) dates: DateArgs,
}

/// Dates that need a word from the treasurer: the future, and closed periods.
#[derive(Debug, Args)]
pub struct DateArgs {
    /// Allow a date more than a day ahead (a payment scheduled ahead)
    #[arg(long)]
    future: bool,
    /// Record into a period closed by `fondo close` or a saved reconciliation (needs --reason)
    #[arg(long, requires = "reason")]
    force: bool,
    /// Why a closed period is reopened for this transaction (recorded in the chain)
    #[arg(long, value_name = "TEXT", requires = "force")]
    reason: Option<String>,
}

impl DateArgs {
    pub(super) fn rules(&self) -> DateRules {
        DateRules {
            future: self.future,
            force_reason: self.reason.clone().filter(|_| self.force),
        }
    }
}

impl RecordArgs {
    pub(super) fn header(&self, ctx: &Context) -> Result<Header> {
        Ok(Header {
            date: self
                .date
                .as_deref()
                .map(|d| ctx.date(Field::DATE, d))
                .transpose()?,
            description: self.description.clone(),
            reference: self.reference.clone(),
            memo: self.memo.clone(),
        })
    }
}

/// A recording command: its shared options, and how it turns its arguments into a
/// transaction. `fondo add` composes one of these from the treasurer's answers.
pub(super) trait Recording {
    fn record_args(&self) -> &RecordArgs;
    fn build(&self, ctx: &Context, ledger: &Ledger, header: Header) -> Result<NewTransaction>;

    /// The transaction these arguments describe.
    fn transaction(&self, ctx: &Context, ledger: &Ledger) -> Result<NewTransaction> {
        self.build(ctx, ledger, self.record_args().header(ctx)?)
    }

    /// What the command says of names that look like ones the ledger has.
    fn name_rules(&self) -> NameRules {
        NameRules::default()
    }
}

/// Opens the ledger, builds the transaction, records it (or rolls back on a dry run) and
/// prints what was recorded.
pub fn record(ctx: &Context, args: &dyn Recording, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    let txn = args.transaction(ctx, &ledger)?;
    let dry_run = args.record_args().dry_run;
    let rules = args.record_args().dates.rules();
    let recorded = write_transaction(&mut ledger, &txn, dry_run, rules, args.name_rules(), None)?;
    render::write_recorded(&recorded, Recorded::from_dry_run(dry_run), ctx.format, out)
        .map_err(Error::Output)?;
    Ok(())
}

/// Records `txn` (or checks it and rolls back, on a dry run) and reads it back as stored.
pub(super) fn write_transaction(
    ledger: &mut Ledger,
    txn: &NewTransaction,
    dry_run: bool,
    rules: DateRules,
    names: NameRules,
    new_commune: Option<&(String, String)>,
) -> Result<StoredTransaction> {
    ledger.write(WriteMode::dry_run_if(dry_run), |w| {
        w.set_date_rules(rules)?;
        if let Some((name, state)) = new_commune {
            // `fondo add` asked, naming any commune this one looks like; yes said it is another.
            w.set_name_rules(NameRules::accept_all());
            w.add_commune(name, state, None)?;
        }
        w.set_name_rules(names);
        let id = w.record(txn, "cli")?;
        w.transaction(id)
    })
}

fn recipient(ctx: &Context, ledger: &Ledger, name: &str) -> Result<Recipient> {
    if name == UNION_SLUG {
        return Ok(Recipient::Union);
    }
    if let Some((new, _)) = ctx.new_commune.as_ref().filter(|(new, _)| new == name) {
        return Ok(Recipient::Commune {
            slug: crate::domain::names::slugify(new),
            name: new.clone(),
        });
    }
    let commune = read::commune(ledger.conn(), name)?;
    Ok(Recipient::Commune {
        slug: commune.slug,
        name: commune.name,
    })
}

fn optional_amount(field: Field, text: &Option<String>, currency: Currency) -> Result<Option<Amount>> {
    text.as_deref()
        .map(|t| Amount::parse_field(field, t, currency))
        .transpose()
}

#[derive(Debug, Args)]
pub struct DonationArgs {
    /// The whole gift, before any fee, e.g. 100.00
    #[arg(allow_negative_numbers = true)]
    amount: String,
    /// Who gave it
    #[arg(long, add = super::complete::donors())]
    donor: String,
    /// The fund the donor earmarked it for
    #[arg(long, default_value = GENERAL_FUND, add = super::complete::funds())]
    fund: String,
    /// Where the money arrived
    #[arg(long, default_value = "assets:bank", value_name = "ACCOUNT", add = super::complete::accounts())]
    into: String,
    /// What the bank or processor kept of it
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    fee: Option<String>,
    #[command(flatten)]
    fee_to: FeeToArgs,
    #[command(flatten)]
    look_alike: LookAlikeArgs,
    #[command(flatten)]
    currency: CurrencyArg,
    #[command(flatten)]
    record: RecordArgs,
}

impl Recording for DonationArgs {
    fn record_args(&self) -> &RecordArgs {
        &self.record
    }

    fn name_rules(&self) -> NameRules {
        self.look_alike.rules(Field::DONOR)
    }

    fn build(&self, ctx: &Context, ledger: &Ledger, header: Header) -> Result<NewTransaction> {
        let currency = self.currency.resolve(ledger)?;
        let d = Donation {
            donor: check_name(Field::DONOR, &self.donor)?,
            amount: Amount::parse_field(Field::AMOUNT, &self.amount, currency)?,
            fee: optional_amount(Field::FEE, &self.fee, currency)?,
            fund: self.fund.clone(),
            into: self.into.clone(),
            fee_to: self.fee_to.fee_to(),
        };
        builders::donation(d, header, ctx.today)
    }
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// What the recipient receives, e.g. 500.00
    #[arg(allow_negative_numbers = true)]
    amount: String,
    /// `union`, or a commune's slug or name
    #[arg(long, value_name = "union|COMMUNE", add = super::complete::recipients())]
    to: String,
    /// The fund the money is sent from
    #[arg(long, default_value = GENERAL_FUND, add = super::complete::funds())]
    fund: String,
    /// The account the money leaves
    #[arg(long, default_value = "assets:bank", value_name = "ACCOUNT", add = super::complete::accounts())]
    from: String,
    /// A transfer fee paid on top of the amount
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    fee: Option<String>,
    #[command(flatten)]
    fee_to: FeeToArgs,
    #[command(flatten)]
    currency: CurrencyArg,
    #[command(flatten)]
    record: RecordArgs,
}

impl Recording for SendArgs {
    fn record_args(&self) -> &RecordArgs {
        &self.record
    }

    fn build(&self, ctx: &Context, ledger: &Ledger, header: Header) -> Result<NewTransaction> {
        let currency = self.currency.resolve(ledger)?;
        let s = Send {
            amount: Amount::parse_field(Field::AMOUNT, &self.amount, currency)?,
            fee: optional_amount(Field::FEE, &self.fee, currency)?,
            to: recipient(ctx, ledger, &self.to)?,
            fund: self.fund.clone(),
            from: self.from.clone(),
            fee_to: self.fee_to.fee_to(),
        };
        builders::send(s, header, ctx.today)
    }
}

#[derive(Debug, Args)]
pub struct AllocateArgs {
    /// What the union reports passing on, e.g. 250.00
    #[arg(allow_negative_numbers = true)]
    amount: String,
    /// A commune's slug or name, or `union` for a union programme
    #[arg(long, value_name = "union|COMMUNE", add = super::complete::recipients())]
    to: String,
    /// The fund the union spends from
    #[arg(long, default_value = GENERAL_FUND, add = super::complete::funds())]
    fund: String,
    #[command(flatten)]
    currency: CurrencyArg,
    #[command(flatten)]
    record: RecordArgs,
}

impl Recording for AllocateArgs {
    fn record_args(&self) -> &RecordArgs {
        &self.record
    }

    fn build(&self, ctx: &Context, ledger: &Ledger, header: Header) -> Result<NewTransaction> {
        let currency = self.currency.resolve(ledger)?;
        let amount = Amount::parse_field(Field::AMOUNT, &self.amount, currency)?;
        let allocation = builders::Allocation {
            amount,
            to: recipient(ctx, ledger, &self.to)?,
            fund: self.fund.clone(),
        };
        builders::allocate(allocation, header, ctx.today)
    }
}

#[derive(Debug, Args)]
pub struct FeeArgs {
    /// The fee, e.g. 2.50
    #[arg(allow_negative_numbers = true)]
    amount: String,
    /// The account charged
    #[arg(long, value_name = "ACCOUNT", add = super::complete::accounts())]
    from: String,
    /// The fund that pays the fee
    #[arg(long, default_value = GENERAL_FUND, add = super::complete::funds())]
    fund: String,
    #[command(flatten)]
    currency: CurrencyArg,
    #[command(flatten)]
    record: RecordArgs,
}

impl Recording for FeeArgs {
    fn record_args(&self) -> &RecordArgs {
        &self.record
    }

    fn build(&self, ctx: &Context, ledger: &Ledger, header: Header) -> Result<NewTransaction> {
        let amount = Amount::parse_field(Field::AMOUNT, &self.amount, self.currency.resolve(ledger)?)?;
        let fee = builders::Fee {
            amount,
            from: self.from.clone(),
            fund: self.fund.clone(),
        };
        builders::fee(fee, header, ctx.today)
    }
}

#[derive(Debug, Args)]
pub struct TransferArgs {
    /// How much moves, e.g. 96.80
    #[arg(allow_negative_numbers = true)]
    amount: String,
    /// The account the money leaves, e.g. assets:processor
    #[arg(long, value_name = "ACCOUNT", add = super::complete::accounts())]
    from: String,
    /// The account it reaches, e.g. assets:bank
    #[arg(long, value_name = "ACCOUNT", add = super::complete::accounts())]
    to: String,
    /// The fund whose money moves
    #[arg(long, default_value = GENERAL_FUND, add = super::complete::funds())]
    fund: String,
    #[command(flatten)]
    currency: CurrencyArg,
    #[command(flatten)]
    record: RecordArgs,
}

impl Recording for TransferArgs {
    fn record_args(&self) -> &RecordArgs {
        &self.record
    }

    fn build(&self, ctx: &Context, ledger: &Ledger, header: Header) -> Result<NewTransaction> {
        let amount = Amount::parse_field(Field::AMOUNT, &self.amount, self.currency.resolve(ledger)?)?;
        let transfer = builders::Transfer {
            amount,
            from: self.from.clone(),
            to: self.to.clone(),
            fund: self.fund.clone(),
        };
        builders::transfer(transfer, header, ctx.today)
    }
}

#[derive(Debug, Args)]
pub struct PayoutArgs {
    /// What reached --to, e.g. 145.05
    #[arg(allow_negative_numbers = true)]
    amount: String,
    /// The account that paid out the lump
    #[arg(long, value_name = "ACCOUNT", default_value = "assets:processor", add = super::complete::accounts())]
    from: String,
    /// The account it reached
    #[arg(long, value_name = "ACCOUNT", default_value = "assets:bank", add = super::complete::accounts())]
    to: String,
    /// What the payer kept on top (a payout fee), shared among the funds in proportion
    #[arg(long, value_name = "AMOUNT")]
    fee: Option<String>,
    #[command(flatten)]
    fee_to: FeeToArgs,
    #[command(flatten)]
    currency: CurrencyArg,
    #[command(flatten)]
    record: RecordArgs,
}

impl Recording for PayoutArgs {
    fn record_args(&self) -> &RecordArgs {
        &self.record
    }

    fn build(&self, ctx: &Context, ledger: &Ledger, header: Header) -> Result<NewTransaction> {
        let currency = self.currency.resolve(ledger)?;
        let date = header.date.unwrap_or(ctx.today);
        let payout = builders::Payout {
            amount: Amount::parse_field(Field::AMOUNT, &self.amount, currency)?,
            fee: optional_amount(Field::FEE, &self.fee, currency)?,
            holdings: read::holdings(ledger.conn(), &self.from, currency, date)?,
            from: self.from.clone(),
            to: self.to.clone(),
            fee_to: self.fee_to.fee_to(),
        };
        builders::payout(payout, header, ctx.today)
    }
}

#[derive(Debug, Args)]
pub struct ExchangeArgs {
    /// How much is exchanged, e.g. 100.00
    #[arg(allow_negative_numbers = true)]
    amount: String,
    /// Its currency, e.g. USD
    currency: String,
    /// The currency received, e.g. VES
    #[arg(long, value_name = "CUR", add = super::complete::currencies())]
    to: String,
    /// Units of --to per unit exchanged; the result must come out in whole minor units
    #[arg(
        long,
        value_name = "RATE",
        required_unless_present = "received",
        conflicts_with = "received",
        allow_negative_numbers = true
    )]
    rate: Option<String>,
    /// The exact amount received, when the rate does not divide evenly
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    received: Option<String>,
    /// The account the exchange happens in
    #[arg(long, default_value = "assets:bank", value_name = "ACCOUNT", add = super::complete::accounts())]
    account: String,
    /// The fund whose money is exchanged
    #[arg(long, default_value = GENERAL_FUND, add = super::complete::funds())]
    fund: String,
    #[command(flatten)]
    record: RecordArgs,
}

impl Recording for ExchangeArgs {
    fn record_args(&self) -> &RecordArgs {
        &self.record
    }

    fn build(&self, ctx: &Context, _ledger: &Ledger, header: Header) -> Result<NewTransaction> {
        let from = Currency::parse_field(Field::CURRENCY_COLUMN, &self.currency)?;
        let to = Currency::parse_field(Field::TO, &self.to)?;
        let amount = Amount::parse_field(Field::AMOUNT, &self.amount, from)?;
        // clap requires exactly one of --rate and --received.
        let conversion = match (&self.rate, &self.received) {
            (Some(rate), _) => {
                Conversion::Rate(parse_decimal(rate).map_err(|p| Error::invalid(Field::RATE, rate, p))?)
            }
            (None, received) => Conversion::Received(Amount::parse_field(
                Field::RECEIVED,
                received.as_deref().unwrap_or_default(),
                to,
            )?),
        };
        let exchange = builders::Exchange {
            amount,
            conversion,
            to_currency: to,
            account: self.account.clone(),
            fund: self.fund.clone(),
        };
        builders::exchange(exchange, header, ctx.today)
    }
}

#[derive(Debug, Args)]
pub struct EntryArgs {
    /// A posting: "ACCOUNT AMOUNT [CUR] [FUND]"; positive debits, negative credits; repeat it
    #[arg(
        short = 'p',
        long = "posting",
        value_name = "ACCOUNT AMOUNT [CUR] [FUND]",
        required = true
    )]
    postings: Vec<String>,
    /// Who the money came from or went to
    #[arg(long, add = super::complete::donors())]
    counterparty: Option<String>,
    #[command(flatten)]
    look_alike: LookAlikeArgs,
    #[command(flatten)]
    currency: CurrencyArg,
    #[command(flatten)]
    record: RecordArgs,
}

impl Recording for EntryArgs {
    fn record_args(&self) -> &RecordArgs {
        &self.record
    }

    fn name_rules(&self) -> NameRules {
        self.look_alike.rules(Field::COUNTERPARTY_FLAG)
    }

    fn build(&self, ctx: &Context, ledger: &Ledger, header: Header) -> Result<NewTransaction> {
        let currency = self.currency.resolve(ledger)?;
        let description = header
            .description
            .clone()
            .ok_or_else(|| Error::Refused("`fondo entry` needs a description: --desc TEXT".into()))?;
        let postings = self
            .postings
            .iter()
            .map(|text| parse_posting(text, currency))
            .collect::<Result<Vec<_>>>()?;
        Ok(NewTransaction {
            date: header.date.unwrap_or(ctx.today),
            description,
            counterparty: self.counterparty.clone(),
            reference: header.reference,
            memo: header.memo,
            voids: None,
            postings,
        })
    }
}

/// Parses `ACCOUNT AMOUNT [CUR] [FUND]`: an upper-case ISO code is a currency, anything else
/// after the amount is the fund.
pub(super) fn parse_posting(text: &str, default_currency: Currency) -> Result<NewPosting> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let shape = "write \"ACCOUNT AMOUNT [CUR] [FUND]\", e.g. \"assets:bank -25.00 USD tires\"";
    let (account, number, rest) = match parts.as_slice() {
        [account, number, rest @ ..] if rest.len() <= 2 => (*account, *number, rest),
        _ => return Err(Error::invalid(Field::POSTING, text, shape)),
    };
    let mut currency = default_currency;
    let mut fund = GENERAL_FUND;
    match rest {
        [] => {}
        [one] => match Currency::parse(one) {
            Ok(c) => currency = c,
            Err(_) => fund = one,
        },
        [cur, f] => {
            currency = Currency::parse(cur)
                .map_err(|problem| Error::invalid(Field::POSTING_CURRENCY, *cur, problem))?;
            fund = f;
        }
        _ => return Err(Error::invalid(Field::POSTING, text, shape)),
    }
    Ok(NewPosting {
        account: account.to_string(),
        fund: fund.to_string(),
        amount: Amount::parse_field(Field::POSTING_AMOUNT, number, currency)?,
    })
}

#[derive(Debug, Args)]
pub struct FundMoveArgs {
    /// How much moves, e.g. 50.00
    #[arg(allow_negative_numbers = true)]
    amount: String,
    /// The fund the money leaves
    #[arg(long, value_name = "FUND", add = super::complete::funds())]
    from: String,
    /// The fund it joins
    #[arg(long, value_name = "FUND", add = super::complete::funds())]
    to: String,
    /// The account where the money sits
    #[arg(long, default_value = "assets:bank", value_name = "ACCOUNT", add = super::complete::accounts())]
    account: String,
    #[command(flatten)]
    currency: CurrencyArg,
    #[command(flatten)]
    record: RecordArgs,
}

impl Recording for FundMoveArgs {
    fn record_args(&self) -> &RecordArgs {
        &self.record
    }

    fn build(&self, ctx: &Context, ledger: &Ledger, header: Header) -> Result<NewTransaction> {
        let amount = Amount::parse_field(Field::AMOUNT, &self.amount, self.currency.resolve(ledger)?)?;
        let fund_move = builders::FundMove {
            amount,
            from_fund: self.from.clone(),
            to_fund: self.to.clone(),
            account: self.account.clone(),
        };
        builders::fund_move(fund_move, header, ctx.today)
    }
}

#[derive(Debug, Args)]
pub struct VoidArgs {
    /// The transaction to reverse, e.g. 42 or #42
    #[arg(value_parser = parse_txn_id)]
    id: i64,
    /// Why it is voided (kept in the void's description)
    #[arg(long)]
    reason: String,
    /// Void a grant even though the commune confirmed it or a period is closed (recorded)
    #[arg(long)]
    force: bool,
    /// Allow a date more than a day ahead
    #[arg(long)]
    future: bool,
    /// Date of the void [default: today]
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// A note kept with the void
    #[arg(long, value_name = "TEXT")]
    memo: Option<String>,
    /// Show the reversal without writing it
    #[arg(long)]
    dry_run: bool,
}

pub fn void(ctx: &Context, args: VoidArgs, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    let header = Header {
        date: args
            .date
            .as_deref()
            .map(|d| ctx.date(Field::DATE, d))
            .transpose()?,
        memo: args.memo.clone(),
        ..Header::default()
    };
    let rules = DateRules {
        future: args.future,
        force_reason: args.force.then(|| args.reason.clone()),
    };
    let recorded = ledger.write(WriteMode::dry_run_if(args.dry_run), |w| {
        w.set_date_rules(rules)?;
        let confirmed = if args.force {
            Confirmed::VoidAnyway
        } else {
            Confirmed::Refuse
        };
        let id = w.void(args.id, &args.reason, header, ctx.today, confirmed)?;
        w.transaction(id)
    })?;
    render::write_recorded(&recorded, Recorded::from_dry_run(args.dry_run), ctx.format, out)
        .map_err(Error::Output)?;
    Ok(())
}

#[derive(Debug, Args)]
pub struct ConfirmArgs {
    /// The allocation or direct send the commune received, e.g. 42 or #42
    #[arg(value_parser = parse_txn_id)]
    id: i64,
    /// The commune's receipt reference
    #[arg(long = "ref", value_name = "RECEIPT")]
    reference: Option<String>,
    /// When the commune confirmed [default: today]
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// A note kept with the confirmation
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// Check the confirmation without writing it
    #[arg(long)]
    dry_run: bool,
}

impl ConfirmArgs {
    /// The grant and what its confirmation records.
    pub(super) fn confirmation(&self, ctx: &Context) -> Result<(i64, Confirmation)> {
        let confirmation = Confirmation {
            date: self
                .date
                .as_deref()
                .map(|d| ctx.date(Field::DATE, d))
                .transpose()?,
            reference: self.reference.clone(),
            note: self.note.clone(),
        };
        Ok((self.id, confirmation))
    }
}

pub fn confirm(ctx: &Context, args: ConfirmArgs, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    let (_, confirmation) = args.confirmation(ctx)?;
    let id = ledger.write(WriteMode::dry_run_if(args.dry_run), |w| {
        w.confirm(args.id, &confirmation, ctx.today)
    })?;
    write_confirmation(ctx, args.id, id, &confirmation, args.dry_run, out)
}

/// Says what `confirm` (or `add`'s confirmation) recorded, dated today unless it says otherwise.
pub(super) fn write_confirmation(
    ctx: &Context,
    txn: i64,
    id: i64,
    confirmation: &Confirmation,
    dry_run: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let outcome = render::ConfirmationOutcome {
        txn,
        id,
        date: confirmation.date.unwrap_or(ctx.today),
        reference: confirmation.reference.as_deref(),
        dry_run,
    };
    render::write_confirmation(&outcome, ctx.format, out).map_err(Error::Output)
}
