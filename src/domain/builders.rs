//! How each recording command turns what the treasurer says into balanced postings. Pure
//! functions: names are checked against the ledger later, when the transaction is recorded.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::field::Field;
use super::money::{Amount, Currency};
use super::names::{
    AccountType, CONVERSION, DONATIONS, FEES_BANK, FEES_PROCESSOR, FEES_WIRE, FUND_MOVES, GRANTS_PREFIX,
    UNION_ACCOUNT, UNION_SLUG,
};
use super::transaction::{NewPosting, NewTransaction};
use crate::error::{Error, Result};

/// The fields every recording command shares.
#[derive(Clone, Debug, Default)]
pub struct Header {
    pub date: Option<NaiveDate>,
    /// Replaces the command's default description.
    pub description: Option<String>,
    pub reference: Option<String>,
    pub memo: Option<String>,
}

/// Who receives a send or an allocation: the Communard Union itself, or one commune.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recipient {
    Union,
    Commune { slug: String, name: String },
}

impl Recipient {
    /// The expense account a grant to this recipient is booked to.
    pub fn grants_account(&self) -> String {
        match self {
            Recipient::Union => format!("{GRANTS_PREFIX}{UNION_SLUG}"),
            Recipient::Commune { slug, .. } => format!("{GRANTS_PREFIX}{slug}"),
        }
    }

    pub fn display_name(&self) -> &str {
        match self {
            Recipient::Union => "the Communard Union",
            Recipient::Commune { name, .. } => name,
        }
    }
}

fn posting(account: &str, fund: &str, amount: Amount) -> NewPosting {
    NewPosting {
        account: account.to_string(),
        fund: fund.to_string(),
        amount,
    }
}

/// The one rule for an amount paid or given: more than zero.
pub(crate) fn require_positive(field: Field, amount: Amount) -> Result<()> {
    if amount.is_positive() {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            amount.to_string(),
            "must be greater than zero",
        ))
    }
}

/// Refuses an account of the wrong kind for its role (a donation into `income:other`, say).
/// A name that is not an account at all is left for the ledger to reject with a suggestion.
fn require_type(field: Field, account: &str, allowed: &[AccountType]) -> Result<()> {
    match AccountType::of(account) {
        Some(t) if !allowed.contains(&t) => {
            let kinds: Vec<_> = allowed.iter().map(|k| format!("{k}:…")).collect();
            Err(Error::invalid(
                field,
                account,
                format!(
                    "must be one of our own accounts ({}), e.g. `assets:bank`",
                    kinds.join(" or ")
                ),
            ))
        }
        _ => Ok(()),
    }
}

const OWN_MONEY: &[AccountType] = &[AccountType::Assets];
const OWN_MONEY_OR_DEBT: &[AccountType] = &[AccountType::Assets, AccountType::Liabilities];

/// A fee is optional; zero means none. It must be in the amount's currency.
fn optional_fee(fee: Option<Amount>, currency: Currency) -> Result<Option<Amount>> {
    match fee {
        Some(fee) if fee.is_negative() => Err(Error::invalid(
            Field::FEE,
            fee.to_string(),
            "must not be negative",
        )),
        Some(fee) if fee.currency() != currency => Err(Error::invalid(
            Field::FEE,
            fee.to_string(),
            format!("must be in {currency}, the currency of the amount"),
        )),
        Some(fee) if fee.is_zero() => Ok(None),
        other => Ok(other),
    }
}

fn transaction(
    header: Header,
    today: NaiveDate,
    default_description: String,
    counterparty: Option<String>,
    postings: Vec<NewPosting>,
) -> NewTransaction {
    NewTransaction {
        date: header.date.unwrap_or(today),
        description: header.description.unwrap_or(default_description),
        counterparty,
        reference: header.reference,
        memo: header.memo,
        voids: None,
        postings,
    }
}

/// Where a fee is booked: an expense account (a kind of fee) and a fund, each defaulting to
/// what the command implies (the fee kind of the command, the transaction's fund).
#[derive(Clone, Debug, Default)]
pub struct FeeTo {
    pub account: Option<String>,
    pub fund: Option<String>,
}

impl FeeTo {
    fn account<'a>(&'a self, default: &'a str) -> Result<&'a str> {
        let account = self.account.as_deref().unwrap_or(default);
        require_type(Field::FEE_ACCOUNT, account, &[AccountType::Expenses])?;
        Ok(account)
    }

    fn fund<'a>(&'a self, default: &'a str) -> &'a str {
        self.fund.as_deref().unwrap_or(default)
    }
}

/// The kind of fee a processor or a bank charges on money in `account`.
fn fee_kind(account: &str) -> &'static str {
    if account.starts_with("assets:processor") {
        FEES_PROCESSOR
    } else {
        FEES_BANK
    }
}

/// A gift received: the net amount into an asset account, the fee to a fee account (the
/// processor's for a gift into the processor, else the bank's), the whole gift credited to
/// `income:donations`, all in the donation's fund — unless the fee is charged to another
/// fund, which then pays it from its own money in the account.
#[derive(Clone, Debug)]
pub struct Donation {
    pub amount: Amount,
    pub fee: Option<Amount>,
    pub donor: String,
    pub fund: String,
    pub into: String,
    pub fee_to: FeeTo,
}

pub fn donation(d: Donation, header: Header, today: NaiveDate) -> Result<NewTransaction> {
    require_positive(Field::AMOUNT, d.amount)?;
    super::privacy::check_not_placeholder(Field::DONOR, &d.donor)?;
    require_type(Field::INTO, &d.into, OWN_MONEY)?;
    let fee = optional_fee(d.fee, d.amount.currency())?;
    let mut postings = Vec::with_capacity(3);
    match fee {
        Some(fee) => {
            if fee.minor() >= d.amount.minor() {
                return Err(Error::invalid(
                    Field::FEE,
                    fee.to_string(),
                    format!("must be less than the donation of {}", d.amount),
                ));
            }
            let kind = fee_kind(&d.into);
            let fee_fund = d.fee_to.fund(&d.fund);
            if fee_fund == d.fund {
                postings.push(posting(&d.into, &d.fund, d.amount.checked_sub(fee)?));
            } else {
                postings.push(posting(&d.into, &d.fund, d.amount));
                postings.push(posting(&d.into, fee_fund, fee.negated()));
            }
            postings.push(posting(d.fee_to.account(kind)?, fee_fund, fee));
        }
        None => postings.push(posting(&d.into, &d.fund, d.amount)),
    }
    postings.push(posting("income:donations", &d.fund, d.amount.negated()));
    let description = format!("donation from {}", d.donor);
    Ok(transaction(header, today, description, Some(d.donor), postings))
}

/// Money leaving our account for the union (held by it until it allocates) or straight to a
/// commune (a grant). `amount` is what the recipient gets; a fee is paid on top of it.
#[derive(Clone, Debug)]
pub struct Send {
    pub amount: Amount,
    pub fee: Option<Amount>,
    pub to: Recipient,
    pub fund: String,
    pub from: String,
    /// Wire fees by default, in the send's fund.
    pub fee_to: FeeTo,
}

pub fn send(s: Send, header: Header, today: NaiveDate) -> Result<NewTransaction> {
    require_positive(Field::AMOUNT, s.amount)?;
    require_type(Field::FROM, &s.from, OWN_MONEY)?;
    if s.from == UNION_ACCOUNT {
        return Err(Error::invalid(
            Field::FROM,
            &s.from,
            "money held by the union reaches communes through `fondo allocate`",
        ));
    }
    let fee = optional_fee(s.fee, s.amount.currency())?;
    let to_account = match &s.to {
        Recipient::Union => UNION_ACCOUNT.to_string(),
        commune => commune.grants_account(),
    };
    let mut postings = vec![posting(&to_account, &s.fund, s.amount)];
    let mut paid = s.amount;
    if let Some(fee) = fee {
        let fee_fund = s.fee_to.fund(&s.fund);
        postings.push(posting(s.fee_to.account(FEES_WIRE)?, fee_fund, fee));
        if fee_fund == s.fund {
            paid = paid.checked_add(fee)?;
        } else {
            postings.push(posting(&s.from, fee_fund, fee.negated()));
        }
    }
    postings.push(posting(&s.from, &s.fund, paid.negated()));
    let description = format!("send to {}", s.to.display_name());
    let counterparty = s.to.display_name().to_string();
    Ok(transaction(
        header,
        today,
        description,
        Some(counterparty),
        postings,
    ))
}

/// The union's report that it passed money it holds on to a commune (or spent it on a
/// union programme): from `assets:union` to the recipient's grants account.
#[derive(Clone, Debug)]
pub struct Allocation {
    pub amount: Amount,
    pub to: Recipient,
    pub fund: String,
}

pub fn allocate(a: Allocation, header: Header, today: NaiveDate) -> Result<NewTransaction> {
    require_positive(Field::AMOUNT, a.amount)?;
    let postings = vec![
        posting(&a.to.grants_account(), &a.fund, a.amount),
        posting(UNION_ACCOUNT, &a.fund, a.amount.negated()),
    ];
    let description = match &a.to {
        Recipient::Union => "union allocation to its own programmes".to_string(),
        commune => format!("union allocation to {}", commune.display_name()),
    };
    let counterparty = a.to.display_name().to_string();
    Ok(transaction(
        header,
        today,
        description,
        Some(counterparty),
        postings,
    ))
}

/// A fee charged on its own (a monthly bank charge, say).
#[derive(Clone, Debug)]
pub struct Fee {
    pub amount: Amount,
    pub from: String,
    pub fund: String,
}

pub fn fee(f: Fee, header: Header, today: NaiveDate) -> Result<NewTransaction> {
    require_positive(Field::AMOUNT, f.amount)?;
    require_type(Field::FROM, &f.from, OWN_MONEY_OR_DEBT)?;
    let postings = vec![
        posting(FEES_BANK, &f.fund, f.amount),
        posting(&f.from, &f.fund, f.amount.negated()),
    ];
    let description = format!("fee charged to {}", f.from);
    Ok(transaction(header, today, description, None, postings))
}

/// Money moved between two of our own accounts (a processor payout to the bank, say).
#[derive(Clone, Debug)]
pub struct Transfer {
    pub amount: Amount,
    pub from: String,
    pub to: String,
    pub fund: String,
}

pub fn transfer(t: Transfer, header: Header, today: NaiveDate) -> Result<NewTransaction> {
    require_positive(Field::AMOUNT, t.amount)?;
    require_type(Field::FROM, &t.from, OWN_MONEY_OR_DEBT)?;
    require_type(Field::TO, &t.to, OWN_MONEY_OR_DEBT)?;
    if t.from == t.to {
        return Err(Error::invalid(Field::TO, &t.to, "must differ from --from"));
    }
    let postings = vec![
        posting(&t.to, &t.fund, t.amount),
        posting(&t.from, &t.fund, t.amount.negated()),
    ];
    let description = format!("transfer from {} to {}", t.from, t.to);
    Ok(transaction(header, today, description, None, postings))
}

/// A processor's lump payout to another of our accounts, split across the funds whose money
/// it carries (see [`super::payout`]): `amount` reached `to`; `fee`, kept by the processor, is
/// shared among the funds in proportion to their parts.
#[derive(Clone, Debug)]
pub struct Payout {
    pub amount: Amount,
    pub fee: Option<Amount>,
    pub from: String,
    pub to: String,
    /// What each fund can give from `from` on the payout's date (see `read::holdings`).
    pub holdings: Vec<super::payout::Holding>,
    /// The processor's kind of fee by default; a fee fund, if given, pays the whole fee.
    pub fee_to: FeeTo,
}

pub fn payout(p: Payout, header: Header, today: NaiveDate) -> Result<NewTransaction> {
    require_positive(Field::AMOUNT, p.amount)?;
    require_type(Field::FROM, &p.from, OWN_MONEY)?;
    require_type(Field::TO, &p.to, OWN_MONEY_OR_DEBT)?;
    if p.from == p.to {
        return Err(Error::invalid(Field::TO, &p.to, "must differ from --from"));
    }
    let currency = p.amount.currency();
    let fee = optional_fee(p.fee, currency)?;
    let gross = match fee {
        Some(fee) => p.amount.checked_add(fee)?,
        None => p.amount,
    };
    let held: i64 = p.holdings.iter().flat_map(|h| &h.layers).map(|(_, m)| m).sum();
    let parts = super::payout::split_oldest_first(&p.holdings, gross.minor()).ok_or_else(|| {
        Error::invalid(
            Field::AMOUNT,
            gross.to_string(),
            format!(
                "{} holds only {} in all funds together on that date (counting only what no later day spends); a payout cannot take more",
                p.from,
                Amount::from_minor(held, currency).map_or_else(|_| held.to_string(), |a| a.to_string())
            ),
        )
    })?;
    let minors: Vec<i64> = parts.iter().map(|(_, m)| *m).collect();
    let fee_account = p.fee_to.account(FEES_PROCESSOR)?;
    // Each fund's share of the fee: in proportion to its part, or all of it to the fee fund.
    let fees = match (fee, &p.fee_to.fund) {
        (None, _) => vec![0; parts.len()],
        (Some(fee), None) => super::payout::share_in_proportion(&minors, fee.minor())?,
        (Some(_), Some(_)) => vec![0; parts.len()],
    };
    let mut postings = Vec::with_capacity(parts.len() * 3 + 2);
    for ((fund, part), fee_share) in parts.iter().zip(fees) {
        let reached = part - fee_share;
        if reached > 0 {
            postings.push(posting(&p.to, fund, Amount::from_minor(reached, currency)?));
        }
        if fee_share > 0 {
            postings.push(posting(
                fee_account,
                fund,
                Amount::from_minor(fee_share, currency)?,
            ));
        }
        postings.push(posting(&p.from, fund, Amount::from_minor(-part, currency)?));
    }
    // A fee fund pays the whole fee from its own money at the destination: the lump's parts
    // reached it whole.
    if let (Some(fee), Some(fee_fund)) = (fee, &p.fee_to.fund) {
        postings.push(posting(fee_account, fee_fund, fee));
        postings.push(posting(&p.to, fee_fund, fee.negated()));
    }
    let description = format!("payout from {} to {}", p.from, p.to);
    Ok(transaction(header, today, description, None, postings))
}

/// How much of the target currency an exchange produced.
#[derive(Clone, Copy, Debug)]
pub enum Conversion {
    /// Units of the target currency per unit of the source.
    Rate(Decimal),
    /// The exact amount received, when the rate does not give whole minor units.
    Received(Amount),
}

/// Converts within one account through `equity:conversion`, which balances each currency.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub amount: Amount,
    pub conversion: Conversion,
    pub to_currency: Currency,
    pub account: String,
    pub fund: String,
}

pub fn exchange(e: Exchange, header: Header, today: NaiveDate) -> Result<NewTransaction> {
    let Exchange {
        amount,
        conversion,
        to_currency,
        ref account,
        ref fund,
    } = e;
    require_positive(Field::AMOUNT, amount)?;
    require_type(Field::ACCOUNT, account, OWN_MONEY)?;
    if to_currency == amount.currency() {
        return Err(Error::invalid(
            Field::TO,
            to_currency.code(),
            format!("must differ from the currency exchanged ({})", amount.currency()),
        ));
    }
    let (received, description) = match conversion {
        Conversion::Rate(rate) => {
            let received = converted(amount, rate, to_currency)?;
            let text = format!(
                "exchange {amount} to {received} at {rate} {to_currency} per {}",
                amount.currency()
            );
            (received, text)
        }
        Conversion::Received(received) => {
            require_positive(Field::RECEIVED, received)?;
            // The rate it came to, shown to six decimals at most (the amounts are exact).
            let rate = received
                .to_decimal()
                .checked_div(amount.to_decimal())
                .map(|r| r.round_dp(6).normalize().to_string())
                .unwrap_or_default();
            let text = format!(
                "exchange {amount} to {received} (a rate of {rate} {to_currency} per {})",
                amount.currency()
            );
            (received, text)
        }
    };
    let postings = vec![
        posting(account, fund, amount.negated()),
        posting(CONVERSION, fund, amount),
        posting(CONVERSION, fund, received.negated()),
        posting(account, fund, received),
    ];
    Ok(transaction(header, today, description, None, postings))
}

/// `amount × rate` in `to`, refused when it does not come out in whole minor units.
fn converted(amount: Amount, rate: Decimal, to: Currency) -> Result<Amount> {
    let rate_text = rate.to_string();
    if rate <= Decimal::ZERO {
        return Err(Error::invalid(
            Field::RATE,
            rate_text,
            "must be greater than zero",
        ));
    }
    let (exchanged, rate_exact) = (amount.to_decimal().normalize(), rate.normalize());
    let product = exchanged.checked_mul(rate_exact).ok_or_else(|| Error::Overflow {
        what: format!("{amount} × {rate}"),
    })?;
    // A product with more digits than a decimal holds comes back rounded, with fewer
    // decimals than the two factors have together: refuse it rather than take it as exact.
    if product.scale() != exchanged.scale() + rate_exact.scale() {
        return Err(Error::invalid(
            Field::RATE,
            rate_text,
            format!(
                "{amount} × {rate} has more digits than fondo can keep exactly and it never rounds; give the amount actually received with --received instead"
            ),
        ));
    }
    Amount::parse(&product.normalize().to_string(), to).map_err(|problem| {
        Error::invalid(
            Field::RATE,
            rate_text,
            format!(
                "{amount} × {rate} = {} {to}: {problem}; give the amount actually received with --received instead",
                product.normalize()
            ),
        )
    })
}

/// Moves money from one fund to another inside one account: four postings through
/// `equity:transfers`, so each fund still balances on its own.
#[derive(Clone, Debug)]
pub struct FundMove {
    pub amount: Amount,
    pub from_fund: String,
    pub to_fund: String,
    pub account: String,
}

pub fn fund_move(m: FundMove, header: Header, today: NaiveDate) -> Result<NewTransaction> {
    let FundMove {
        amount,
        from_fund,
        to_fund,
        account,
    } = &m;
    require_positive(Field::AMOUNT, *amount)?;
    require_type(Field::ACCOUNT, account, OWN_MONEY)?;
    if from_fund == to_fund {
        return Err(Error::invalid(Field::TO, to_fund, "must differ from --from"));
    }
    let postings = vec![
        posting(account, from_fund, amount.negated()),
        posting(FUND_MOVES, from_fund, *amount),
        posting(FUND_MOVES, to_fund, amount.negated()),
        posting(account, to_fund, *amount),
    ];
    let description = format!("move {amount} from fund {from_fund} to fund {to_fund}");
    Ok(transaction(header, today, description, None, postings))
}

/// What `void` does with a transaction the ledger says reached its end: a grant the commune
/// confirmed it received, or one a saved reconciliation covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmed {
    /// Refused: the money reached them.
    Refuse,
    /// `--force`: voided all the same, said in the void's memo.
    VoidAnyway,
}

/// The reversal of a recorded transaction, and what the ledger knows of it: a void cannot
/// be voided, nor a transaction twice, nor dated before what it reverses.
pub struct Void<'a> {
    pub original_id: i64,
    pub original_date: NaiveDate,
    pub original_postings: &'a [NewPosting],
    /// The transaction the original is itself the void of.
    pub original_voids: Option<i64>,
    /// The void that already reversed the original.
    pub voided_by: Option<i64>,
    /// The original's refunds not voided: they must be voided first.
    pub refunded_by: &'a [i64],
    /// Why the original should stand (confirmed received, reconciled): each needs
    /// [`Confirmed::VoidAnyway`], and the void's memo says so.
    pub reasons_to_keep: Vec<String>,
    pub confirmed: Confirmed,
    pub reason: &'a str,
}

/// The same postings with opposite signs, dated the day asked or else today (or the
/// original's date, if that is later).
pub fn void(v: Void<'_>, mut header: Header, today: NaiveDate) -> Result<NewTransaction> {
    let id = v.original_id;
    if let Some(voided) = v.original_voids {
        return Err(Error::Refused(format!(
            "#{id} is itself the void of #{voided}; to restore #{voided}, record it again"
        )));
    }
    if let Some(by) = v.voided_by {
        return Err(Error::Refused(format!("#{id} was already voided by #{by}")));
    }
    if let Some(first) = v.reasons_to_keep.first() {
        if v.confirmed == Confirmed::Refuse {
            return Err(Error::Refused(format!(
                "{first}; void it anyway with --force (recorded in the void's memo)"
            )));
        }
        let note = format!("forced: {}", v.reasons_to_keep.join("; "));
        header.memo = Some(match header.memo {
            Some(memo) => format!("{memo}; {note}"),
            None => note,
        });
    }
    if let Some(first) = v.refunded_by.first() {
        let all: Vec<_> = v.refunded_by.iter().map(|r| format!("#{r}")).collect();
        return Err(Error::Refused(format!(
            "#{id} was refunded by {}; void the refund{} first (`fondo void {first}`), or the donor's money would be returned twice",
            all.join(", "),
            if all.len() == 1 { "" } else { "s" }
        )));
    }
    date_not_before(
        &mut header,
        v.original_date,
        today,
        &format!("a void cannot be dated before the transaction it reverses (#{id}"),
    )?;
    let postings = v
        .original_postings
        .iter()
        .map(|p| posting(&p.account, &p.fund, p.amount.negated()))
        .collect();
    let description = format!("void #{id}: {}", v.reason);
    let mut txn = transaction(header, today, description, None, postings);
    txn.voids = Some(id);
    Ok(txn)
}

/// Dates `header` on or after `original` (today by default, or `original` if that is later):
/// a date before it is refused with `problem`, which names the original (`…(#N`).
fn date_not_before(header: &mut Header, original: NaiveDate, today: NaiveDate, problem: &str) -> Result<()> {
    match header.date {
        Some(date) if date < original => Err(Error::invalid(
            Field::DATE,
            date.to_string(),
            format!("{problem}, {original})"),
        )),
        Some(_) => Ok(()),
        // A transaction after one dated in the future takes that date, not today.
        None => {
            header.date = Some(today.max(original));
            Ok(())
        }
    }
}

/// What the treasurer asked of a refund: the amount (all that is left of the gift if none)
/// and the fee, as typed, read in the gift's currency; where the money leaves from (the
/// account the gift went into if none); whether it is the processor's chargeback.
#[derive(Clone, Debug, Default)]
pub struct RefundAsked {
    pub amount: Option<String>,
    pub fee: Option<String>,
    pub from: Option<String>,
    pub chargeback: bool,
}

/// A gift to return, and what the ledger knows of it: a void, a voided gift or a refund
/// cannot be refunded, nor more than is left of the gift.
pub struct Refund<'a> {
    pub gift_id: i64,
    pub gift_date: NaiveDate,
    pub gift_postings: &'a [NewPosting],
    /// The gift's donor, who becomes the refund's counterparty.
    pub donor: Option<String>,
    /// The transaction the gift is itself the void of.
    pub gift_voids: Option<i64>,
    pub gift_voided_by: Option<i64>,
    /// The gift the "gift" itself refunds.
    pub gift_refund_of: Option<i64>,
    /// What earlier live refunds returned, in the gift's minor units.
    pub refunded_minor: i64,
    pub asked: RefundAsked,
}

/// The gift's credit to `income:donations`: refused unless it is a gift of one fund and
/// currency that is neither a void nor voided nor a refund.
fn refundable_credit<'a>(r: &Refund<'a>) -> Result<&'a NewPosting> {
    let id = r.gift_id;
    if let Some(original) = r.gift_voids {
        return Err(Error::Refused(format!(
            "#{id} is the void of #{original}, not a gift; only a gift can be refunded"
        )));
    }
    if let Some(gift) = r.gift_refund_of {
        return Err(Error::Refused(format!(
            "#{id} is itself a refund of #{gift}; to undo it, void it (`fondo void {id}`)"
        )));
    }
    let credits: Vec<_> = r
        .gift_postings
        .iter()
        .filter(|p| p.account == DONATIONS && p.amount.is_negative())
        .collect();
    let credit = match credits[..] {
        [credit] => credit,
        [] => {
            return Err(Error::Refused(format!(
                "#{id} is not a gift (it credits nothing to {DONATIONS}); only a gift can be refunded"
            )))
        }
        _ => {
            return Err(Error::Refused(format!(
                "#{id} credits {DONATIONS} in {} funds or currencies; a refund returns a gift of one, so record this one with `fondo entry`",
                credits.len()
            )))
        }
    };
    if let Some(by) = r.gift_voided_by {
        return Err(Error::Refused(format!(
            "#{id} was voided by #{by}; a voided gift has nothing left to refund"
        )));
    }
    Ok(credit)
}

/// The account the gift's money went into: its first debit to one of our own accounts in
/// the gift's fund.
fn gift_account<'a>(r: &Refund<'a>, fund: &str) -> Result<&'a str> {
    r.gift_postings
        .iter()
        .find(|p| p.fund == fund && p.amount.is_positive() && AccountType::of(&p.account) == Some(AccountType::Assets))
        .map(|p| p.account.as_str())
        .ok_or_else(|| {
            Error::Refused(format!(
                "gift #{} went into none of our asset accounts in fund `{fund}`; say where the refund is paid from with --from",
                r.gift_id
            ))
        })
}

/// The refund of (part of) a gift: `income:donations` and the gift's fund give back the
/// amount, the money leaves `from` (with the processor's fee, booked as a fee of the same
/// fund), and the counterparty is the gift's donor.
pub fn refund(r: Refund<'_>, mut header: Header, today: NaiveDate) -> Result<NewTransaction> {
    let id = r.gift_id;
    let credit = refundable_credit(&r)?;
    let (fund, currency) = (credit.fund.as_str(), credit.amount.currency());
    let given = credit.amount.negated();
    let left = given.checked_sub(Amount::from_minor(r.refunded_minor, currency)?)?;
    if !left.is_positive() {
        return Err(Error::Refused(format!(
            "gift #{id} of {given} was refunded in full already; nothing is left to refund"
        )));
    }
    let amount = match &r.asked.amount {
        Some(text) => Amount::parse_field(Field::AMOUNT, text, currency)?,
        None => left,
    };
    require_positive(Field::AMOUNT, amount)?;
    if amount.minor() > left.minor() {
        return Err(Error::invalid(
            Field::AMOUNT,
            amount.to_string(),
            format!("must be at most {left}, what is left of gift #{id} of {given} after earlier refunds"),
        ));
    }
    let fee = r
        .asked
        .fee
        .as_deref()
        .map(|t| Amount::parse_field(Field::FEE, t, currency))
        .transpose()?;
    let fee = optional_fee(fee, currency)?;
    let from = match &r.asked.from {
        Some(from) => from.as_str(),
        None => gift_account(&r, fund)?,
    };
    require_type(Field::FROM, from, OWN_MONEY_OR_DEBT)?;
    date_not_before(
        &mut header,
        r.gift_date,
        today,
        &format!("a refund cannot be dated before the gift it returns (#{id}"),
    )?;
    let mut postings = vec![posting(DONATIONS, fund, amount)];
    let mut paid = amount;
    if let Some(fee) = fee {
        postings.push(posting(fee_kind(from), fund, fee));
        paid = paid.checked_add(fee)?;
    }
    postings.push(posting(from, fund, paid.negated()));
    let what = if r.asked.chargeback {
        "chargeback"
    } else {
        "refund"
    };
    Ok(transaction(
        header,
        today,
        format!("{what} of #{id}"),
        r.donor,
        postings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(minor: i64) -> Amount {
        Amount::from_minor(minor, Currency::parse("USD").unwrap()).unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn ana_gives(amount: Amount, fee: Option<Amount>, fund: &str, into: &str) -> Donation {
        Donation {
            amount,
            fee,
            donor: "Ana".into(),
            fund: fund.into(),
            into: into.into(),
            fee_to: Default::default(),
        }
    }

    fn lines(txn: &NewTransaction) -> Vec<(String, String, i64)> {
        txn.postings
            .iter()
            .map(|p| (p.account.clone(), p.fund.clone(), p.amount.minor()))
            .collect()
    }

    fn l(account: &str, fund: &str, minor: i64) -> (String, String, i64) {
        (account.into(), fund.into(), minor)
    }

    #[test]
    fn donation_with_fee_splits_net_and_fee_in_the_same_fund() {
        let d = ana_gives(usd(10_000), Some(usd(320)), "tires", "assets:processor");
        let txn = donation(d, Header::default(), today()).unwrap();
        txn.check().unwrap();
        assert_eq!(
            lines(&txn),
            [
                l("assets:processor", "tires", 9_680),
                l("expenses:fees:processor", "tires", 320),
                l("income:donations", "tires", -10_000),
            ]
        );
        assert_eq!(txn.description, "donation from Ana");
        assert_eq!(txn.counterparty.as_deref(), Some("Ana"));
        assert_eq!(txn.date, today());
    }

    #[test]
    fn donation_refuses_bad_fees() {
        let mut d = ana_gives(usd(1_000), Some(usd(1_000)), "general", "assets:bank");
        let err = donation(d.clone(), Header::default(), today()).unwrap_err();
        assert!(
            err.to_string().contains("must be less than the donation"),
            "{err}"
        );
        d.fee = Some(usd(-1));
        assert!(donation(d.clone(), Header::default(), today()).is_err());
        d.fee = Some(usd(0));
        assert_eq!(
            donation(d.clone(), Header::default(), today())
                .unwrap()
                .postings
                .len(),
            2
        );
        d.amount = usd(-1_000);
        assert!(donation(d, Header::default(), today()).is_err());
    }

    #[test]
    fn accounts_must_fit_their_role() {
        let d = ana_gives(usd(1_000), None, "general", "income:other");
        let err = donation(d, Header::default(), today()).unwrap_err().to_string();
        assert!(err.contains("invalid --into `income:other`"), "{err}");
        let fee_from = |from: &str| Fee {
            amount: usd(1),
            from: from.into(),
            fund: "general".into(),
        };
        let err = fee(fee_from("expenses:fees"), Header::default(), today()).unwrap_err();
        assert!(err.to_string().contains("--from"), "{err}");
        assert!(fee(fee_from("liabilities:card"), Header::default(), today()).is_ok());
        let s = Send {
            amount: usd(1),
            fee: None,
            to: Recipient::Union,
            fund: "general".into(),
            from: "assets:union".into(),
            fee_to: Default::default(),
        };
        assert!(send(s, Header::default(), today())
            .unwrap_err()
            .to_string()
            .contains("allocate"));
    }

    #[test]
    fn a_fee_charged_to_another_fund_is_paid_by_that_fund() {
        let s = Send {
            amount: usd(27_500),
            fee: Some(usd(2_500)),
            to: Recipient::Union,
            fund: "truck-part".into(),
            from: "assets:bank".into(),
            fee_to: FeeTo {
                account: None,
                fund: Some("general".into()),
            },
        };
        let txn = send(s, Header::default(), today()).unwrap();
        txn.check().unwrap();
        assert_eq!(
            lines(&txn),
            [
                l("assets:union", "truck-part", 27_500),
                l("expenses:fees:wire", "general", 2_500),
                l("assets:bank", "general", -2_500),
                l("assets:bank", "truck-part", -27_500),
            ]
        );
        let mut d = ana_gives(usd(10_000), Some(usd(320)), "tires", "assets:processor");
        d.fee_to = FeeTo {
            account: Some("expenses:fees:bank".into()),
            fund: Some("general".into()),
        };
        let txn = donation(d, Header::default(), today()).unwrap();
        txn.check().unwrap();
        assert_eq!(
            lines(&txn),
            [
                l("assets:processor", "tires", 10_000),
                l("assets:processor", "general", -320),
                l("expenses:fees:bank", "general", 320),
                l("income:donations", "tires", -10_000),
            ]
        );
        let mut d = ana_gives(usd(10_000), Some(usd(320)), "tires", "assets:processor");
        d.fee_to.account = Some("assets:bank".into());
        assert!(donation(d, Header::default(), today())
            .unwrap_err()
            .to_string()
            .contains("invalid --fee-account `assets:bank`"));
    }

    #[test]
    fn send_fee_is_paid_on_top() {
        let s = Send {
            amount: usd(50_000),
            fee: Some(usd(1_500)),
            to: Recipient::Union,
            fund: "general".into(),
            from: "assets:bank".into(),
            fee_to: Default::default(),
        };
        let txn = send(s, Header::default(), today()).unwrap();
        txn.check().unwrap();
        assert_eq!(
            lines(&txn),
            [
                l("assets:union", "general", 50_000),
                l("expenses:fees:wire", "general", 1_500),
                l("assets:bank", "general", -51_500),
            ]
        );
    }

    #[test]
    fn direct_send_and_allocation_book_the_commune_grant() {
        let commune = Recipient::Commune {
            slug: "el-maizal".into(),
            name: "El Maizal".into(),
        };
        let s = Send {
            amount: usd(100),
            fee: None,
            to: commune.clone(),
            fund: "general".into(),
            from: "assets:bank".into(),
            fee_to: Default::default(),
        };
        let direct = send(s, Header::default(), today()).unwrap();
        assert_eq!(direct.postings[0].account, "expenses:grants:el-maizal");
        let allocation = |to| Allocation {
            amount: usd(100),
            to,
            fund: "general".into(),
        };
        let alloc = allocate(allocation(commune), Header::default(), today()).unwrap();
        assert_eq!(
            lines(&alloc),
            [
                l("expenses:grants:el-maizal", "general", 100),
                l("assets:union", "general", -100)
            ]
        );
        let programme = allocate(allocation(Recipient::Union), Header::default(), today()).unwrap();
        assert_eq!(programme.postings[0].account, "expenses:grants:union");
    }

    #[test]
    fn exchange_at_a_rate_must_be_exact() {
        let ves = Currency::parse("VES").unwrap();
        let ok = exchange(
            Exchange {
                amount: usd(10_000),
                conversion: Conversion::Rate("36.1234".parse().unwrap()),
                to_currency: ves,
                account: "assets:bank".into(),
                fund: "general".into(),
            },
            Header::default(),
            today(),
        )
        .unwrap();
        ok.check().unwrap();
        assert_eq!(ok.postings[3].amount.to_string(), "3612.34 VES");
        let inexact = exchange(
            Exchange {
                amount: usd(3_333),
                conversion: Conversion::Rate("36.1234".parse().unwrap()),
                to_currency: ves,
                account: "assets:bank".into(),
                fund: "general".into(),
            },
            Header::default(),
            today(),
        )
        .unwrap_err()
        .to_string();
        assert!(inexact.contains("= 1203.992922 VES"), "{inexact}");
        assert!(inexact.contains("--received"), "{inexact}");
        // 0.01 × 1.000000000000000000000000001 has 29 decimals; rounded, it looked like
        // exactly 0.01.
        let rounded = exchange(
            Exchange {
                amount: usd(1),
                conversion: Conversion::Rate(
                    crate::domain::money::parse_decimal("1.000000000000000000000000001").unwrap(),
                ),
                to_currency: ves,
                account: "assets:bank".into(),
                fund: "general".into(),
            },
            Header::default(),
            today(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            rounded.contains("more digits than fondo can keep exactly"),
            "{rounded}"
        );
    }

    #[test]
    fn fund_move_balances_each_fund() {
        let moving = |amount, from_fund: &str, to_fund: &str| FundMove {
            amount,
            from_fund: from_fund.into(),
            to_fund: to_fund.into(),
            account: "assets:bank".into(),
        };
        let txn = fund_move(moving(usd(2_500), "general", "tires"), Header::default(), today()).unwrap();
        txn.check().unwrap();
        assert_eq!(txn.postings.len(), 4);
        assert!(fund_move(moving(usd(1), "tires", "tires"), Header::default(), today()).is_err());
    }

    #[test]
    fn void_negates_every_posting() {
        let d = ana_gives(usd(10_000), Some(usd(320)), "general", "assets:bank");
        let original = donation(d, Header::default(), today()).unwrap();
        let of_seven = || Void {
            original_id: 7,
            original_date: today(),
            original_postings: &original.postings,
            original_voids: None,
            voided_by: None,
            refunded_by: &[],
            reasons_to_keep: Vec::new(),
            confirmed: Confirmed::Refuse,
            reason: "typo",
        };
        let reversal = void(of_seven(), Header::default(), today()).unwrap();
        reversal.check().unwrap();
        assert_eq!(reversal.voids, Some(7));
        assert_eq!(reversal.description, "void #7: typo");
        for (a, b) in original.postings.iter().zip(&reversal.postings) {
            assert_eq!(a.amount.negated(), b.amount);
        }
        let refused = |v: Void<'_>, header: Header| void(v, header, today()).unwrap_err().to_string();
        let a_void = Void {
            original_voids: Some(6),
            ..of_seven()
        };
        assert_eq!(
            refused(a_void, Header::default()),
            "#7 is itself the void of #6; to restore #6, record it again"
        );
        let voided = Void {
            voided_by: Some(8),
            ..of_seven()
        };
        assert_eq!(refused(voided, Header::default()), "#7 was already voided by #8");
        let confirmed = || Void {
            reasons_to_keep: vec!["#7 was confirmed received by the commune on 2026-03-02".into()],
            ..of_seven()
        };
        assert!(refused(confirmed(), Header::default())
            .ends_with("void it anyway with --force (recorded in the void's memo)"));
        let forced = Void {
            confirmed: Confirmed::VoidAnyway,
            ..confirmed()
        };
        let memo = void(forced, Header::default(), today()).unwrap().memo;
        assert_eq!(
            memo.as_deref(),
            Some("forced: #7 was confirmed received by the commune on 2026-03-02")
        );
        let early = Header {
            date: today().pred_opt(),
            ..Header::default()
        };
        assert!(
            refused(of_seven(), early).contains("a void cannot be dated before the transaction it reverses")
        );
    }

    #[test]
    fn refund_returns_what_is_left_of_one_gift_and_no_more() {
        let d = ana_gives(usd(10_000), Some(usd(320)), "tires", "assets:processor");
        let gift = donation(d, Header::default(), today()).unwrap();
        let of_seven = |asked: RefundAsked| Refund {
            gift_id: 7,
            gift_date: today(),
            gift_postings: &gift.postings,
            donor: Some("Ana".into()),
            gift_voids: None,
            gift_voided_by: None,
            gift_refund_of: None,
            refunded_minor: 2_500,
            asked,
        };
        let asked = |amount: Option<&str>, fee: Option<&str>| RefundAsked {
            amount: amount.map(Into::into),
            fee: fee.map(Into::into),
            ..RefundAsked::default()
        };
        let rest = refund(of_seven(asked(None, Some("1.50"))), Header::default(), today()).unwrap();
        rest.check().unwrap();
        assert_eq!(
            lines(&rest),
            [
                l("income:donations", "tires", 7_500),
                l("expenses:fees:processor", "tires", 150),
                l("assets:processor", "tires", -7_650),
            ]
        );
        assert_eq!(
            (rest.description.as_str(), rest.counterparty.as_deref()),
            ("refund of #7", Some("Ana"))
        );
        let refused = |r: Refund<'_>| refund(r, Header::default(), today()).unwrap_err().to_string();
        let cases: [(Refund<'_>, &str); 7] = [
            (
                of_seven(asked(Some("75.01"), None)),
                "must be at most 75.00 USD, what is left of gift #7 of 100.00 USD",
            ),
            (of_seven(asked(Some("-1"), None)), "must be greater than zero"),
            (of_seven(asked(Some("1.001"), None)), "USD has 2 decimal places"),
            (
                Refund {
                    refunded_minor: 10_000,
                    ..of_seven(asked(None, None))
                },
                "was refunded in full already",
            ),
            (
                Refund {
                    gift_voided_by: Some(8),
                    ..of_seven(asked(None, None))
                },
                "#7 was voided by #8",
            ),
            (
                Refund {
                    gift_voids: Some(6),
                    ..of_seven(asked(None, None))
                },
                "#7 is the void of #6, not a gift",
            ),
            (
                Refund {
                    gift_refund_of: Some(6),
                    ..of_seven(asked(None, None))
                },
                "#7 is itself a refund of #6",
            ),
        ];
        for (r, want) in cases {
            let got = refused(r);
            assert!(got.contains(want), "{got} (wanted {want})");
        }
        let early = Header {
            date: today().pred_opt(),
            ..Header::default()
        };
        let got = refund(of_seven(asked(None, None)), early, today())
            .unwrap_err()
            .to_string();
        assert!(
            got.contains("a refund cannot be dated before the gift it returns (#7, 2026-03-01)"),
            "{got}"
        );
        let fee = send(
            Send {
                amount: usd(100),
                fee: None,
                to: Recipient::Union,
                fund: "general".into(),
                from: "assets:bank".into(),
                fee_to: Default::default(),
            },
            Header::default(),
            today(),
        )
        .unwrap();
        let not_a_gift = Refund {
            gift_postings: &fee.postings,
            ..of_seven(asked(None, None))
        };
        assert!(refused(not_a_gift).contains("#7 is not a gift"));
    }
}
