//! `fondo refund`: returns (part of) a gift to its donor, or records a processor's
//! chargeback of it, linked to the gift.

use std::io::Write;

use clap::Args;

use super::parse_txn_id;
use super::record::RecordArgs;
use super::Context;
use crate::domain::builders::RefundAsked;
use crate::error::{Error, Result};
use crate::render::{self, Recorded};
use crate::store::WriteMode;

#[derive(Debug, Args)]
pub struct RefundArgs {
    /// The gift to return, e.g. 3 or #3
    #[arg(value_parser = parse_txn_id)]
    gift: i64,
    /// How much of it, in the gift's currency [default: all that earlier refunds left]
    #[arg(allow_negative_numbers = true)]
    amount: Option<String>,
    /// The processor's or bank's fee for the refund or chargeback, paid on top from the same
    /// account and fund
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    fee: Option<String>,
    /// The processor took the money back (a disputed payment) rather than we returning it
    #[arg(long)]
    chargeback: bool,
    /// The account the money leaves [default: the account the gift went into]
    #[arg(long, value_name = "ACCOUNT", add = super::complete::accounts())]
    from: Option<String>,
    #[command(flatten)]
    record: RecordArgs,
}

pub fn refund(ctx: &Context, args: RefundArgs, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    let header = args.record.header(ctx)?;
    let asked = RefundAsked {
        amount: args.amount.clone(),
        fee: args.fee.clone(),
        from: args.from.clone(),
        chargeback: args.chargeback,
    };
    let dry_run = args.record.dry_run;
    let rules = args.record.dates.rules();
    let recorded = ledger.write(WriteMode::dry_run_if(dry_run), |w| {
        w.set_date_rules(rules)?;
        let id = w.refund(args.gift, asked, header, ctx.today)?;
        w.transaction(id)
    })?;
    render::write_recorded(&recorded, Recorded::from_dry_run(dry_run), ctx.format, out)
        .map_err(Error::Output)?;
    Ok(())
}
