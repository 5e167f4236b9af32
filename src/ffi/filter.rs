//! `tb_messenger_filter_*`: the filter of the messenger counter and requests (A6,
//! A7), built field by field instead of written as text.

use std::os::raw::c_char;

use super::answers::{tb_messenger_pending, tb_messenger_status};
use super::error::run;
use super::panic::{free_handle, guard};
use super::{strings, tb_status};
use crate::anna::MessengerFilter;
use crate::error::{Error, Result};
use crate::time::Date;

/// Which messenger requests `tb_anna_messenger_alert_counter` and
/// `tb_anna_messenger_requests` count or list. A new filter lets everything
/// through; each setter narrows it (and a NULL / zero / `_NONE` argument widens it
/// again). Create with `tb_messenger_filter_new`, free with
/// `tb_messenger_filter_free`; it may be freed right after the call that used it.
///
/// ```c
/// tb_messenger_filter *f = tb_messenger_filter_new();
/// tb_messenger_filter_set_date_from(f, 2024, 1, 1);
/// tb_messenger_filter_set_status(f, TB_MESSENGER_STATUS_OPEN);
/// tb_messenger_filter_set_pending(f, TB_MESSENGER_PENDING_YES);
/// uint64_t n;
/// tb_status s = tb_anna_messenger_alert_counter(client, "42", NULL, NULL, f, &n);
/// tb_messenger_filter_free(f);
/// ```
///
/// Not thread-safe while being changed; a filter no longer changed may be used by
/// many calls at once.
pub struct tb_messenger_filter(pub(crate) MessengerFilter);

/// A `tb_messenger_status` as it comes from C; out-of-range numbers are
/// `TB_INVALID_ARGUMENT`.
pub type tb_messenger_status_raw = i32;

/// A `tb_messenger_pending` as it comes from C; out-of-range numbers are
/// `TB_INVALID_ARGUMENT`.
pub type tb_messenger_pending_raw = i32;

/// The filter behind `filter`, for a setter.
///
/// # Safety
///
/// `filter` is NULL or live and unshared during `'a`.
unsafe fn filter_mut<'a>(filter: *mut tb_messenger_filter) -> Result<&'a mut MessengerFilter> {
    // SAFETY: the caller promises NULL or a live filter nobody else uses.
    unsafe { filter.as_mut() }
        .map(|f| &mut f.0)
        .ok_or_else(|| Error::invalid_input("filter", "is NULL"))
}

/// A new filter that lets every request through, or NULL if memory ran out. Free it
/// with `tb_messenger_filter_free`.
#[no_mangle]
pub extern "C" fn tb_messenger_filter_new() -> *mut tb_messenger_filter {
    guard(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(tb_messenger_filter(MessengerFilter::default())))
    })
}

/// Only requests of the department with this alias (see
/// `tb_messenger_structure_department`); NULL or `""` for any department.
///
/// # Safety
///
/// `filter` is NULL or a live filter not used by another thread; `alias` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_filter_set_department_alias(
    filter: *mut tb_messenger_filter,
    alias: *const c_char,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { set_alias(filter, alias, |f| &mut f.department_alias) }
}

/// Only requests of the channel with this alias (see
/// `tb_messenger_structure_channel`); NULL or `""` for any channel.
///
/// # Safety
///
/// `filter` is NULL or a live filter not used by another thread; `alias` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_filter_set_channel_alias(
    filter: *mut tb_messenger_filter,
    alias: *const c_char,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { set_alias(filter, alias, |f| &mut f.channel_alias) }
}

/// Sets an alias field.
///
/// # Safety
///
/// As for the two setters.
unsafe fn set_alias(
    filter: *mut tb_messenger_filter,
    alias: *const c_char,
    field: impl FnOnce(&mut MessengerFilter) -> &mut Option<String>,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live, unshared filter.
        let f = unsafe { filter_mut(filter) }?;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let alias = unsafe { strings::optional(alias, "alias") }?;
        *field(f) = alias.filter(|a| !a.is_empty()).map(str::to_owned);
        Ok(())
    })
}

/// Only requests opened on or after this day; `0, 0, 0` for no lower bound. An
/// impossible date (month 13, 30 February, a year before 1 or after 9999) or a day
/// after the filter's `date_to` is `TB_INVALID_ARGUMENT` naming what is wrong.
///
/// # Safety
///
/// `filter` is NULL or a live filter not used by another thread.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_filter_set_date_from(
    filter: *mut tb_messenger_filter,
    year: i32,
    month: i32,
    day: i32,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { set_date(filter, (year, month, day), true) }
}

/// Only requests opened on or before this day; `0, 0, 0` for no upper bound. An
/// impossible date or a day before the filter's `date_from` is
/// `TB_INVALID_ARGUMENT` naming what is wrong.
///
/// # Safety
///
/// `filter` is NULL or a live filter not used by another thread.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_filter_set_date_to(
    filter: *mut tb_messenger_filter,
    year: i32,
    month: i32,
    day: i32,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { set_date(filter, (year, month, day), false) }
}

/// Sets `date_from` (`from`) or `date_to`, checking the date and the order.
///
/// # Safety
///
/// As for the two setters.
unsafe fn set_date(
    filter: *mut tb_messenger_filter,
    (year, month, day): (i32, i32, i32),
    from: bool,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live, unshared filter.
        let f = unsafe { filter_mut(filter) }?;
        let date = if (year, month, day) == (0, 0, 0) {
            None
        } else {
            Some(date_arg(year, month, day)?)
        };
        let (from_date, to_date) = if from {
            (date, f.date_to)
        } else {
            (f.date_from, date)
        };
        if let (Some(a), Some(b)) = (from_date, to_date) {
            if a > b {
                let (arg, msg) = if from {
                    (
                        "date_from",
                        format!("{a} is after the filter's date_to {b}"),
                    )
                } else {
                    (
                        "date_to",
                        format!("{b} is before the filter's date_from {a}"),
                    )
                };
                return Err(Error::invalid_input(arg, msg));
            }
        }
        if from {
            f.date_from = date;
        } else {
            f.date_to = date;
        }
        Ok(())
    })
}

/// A date from three numbers, each checked under its own name.
fn date_arg(year: i32, month: i32, day: i32) -> Result<Date> {
    let year16 = u16::try_from(year)
        .ok()
        .filter(|y| (1..=9999).contains(y))
        .ok_or_else(|| Error::invalid_input("year", format!("{year} is not between 1 and 9999")))?;
    let month8 = u8::try_from(month)
        .ok()
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(|| Error::invalid_input("month", format!("{month} is not between 1 and 12")))?;
    let day8 = u8::try_from(day).unwrap_or(0);
    Date::new(year16, month8, day8)
        .map_err(|_| Error::invalid_input("day", format!("{year:04}-{month:02} has no day {day}")))
}

/// Only open or only closed requests; `TB_MESSENGER_STATUS_NONE` for both.
///
/// # Safety
///
/// `filter` is NULL or a live filter not used by another thread.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_filter_set_status(
    filter: *mut tb_messenger_filter,
    status: tb_messenger_status_raw,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live, unshared filter.
        let f = unsafe { filter_mut(filter) }?;
        let status = tb_messenger_status::from_raw(status).ok_or_else(|| {
            Error::invalid_input(
                "status",
                format!(
                    "{status} is not a tb_messenger_status (0 = TB_MESSENGER_STATUS_NONE, 1 = TB_MESSENGER_STATUS_OPEN, 2 = TB_MESSENGER_STATUS_CLOSED)"
                ),
            )
        })?;
        f.status = status.status();
        Ok(())
    })
}

/// Only requests that await the user's answer (`TB_MESSENGER_PENDING_YES`), only
/// those that do not (`TB_MESSENGER_PENDING_NO`), or both
/// (`TB_MESSENGER_PENDING_NONE`).
///
/// # Safety
///
/// `filter` is NULL or a live filter not used by another thread.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_filter_set_pending(
    filter: *mut tb_messenger_filter,
    pending: tb_messenger_pending_raw,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live, unshared filter.
        let f = unsafe { filter_mut(filter) }?;
        let pending = tb_messenger_pending::from_raw(pending).ok_or_else(|| {
            Error::invalid_input(
                "pending",
                format!(
                    "{pending} is not a tb_messenger_pending (0 = TB_MESSENGER_PENDING_NONE, 1 = TB_MESSENGER_PENDING_YES, 2 = TB_MESSENGER_PENDING_NO)"
                ),
            )
        })?;
        f.pending = pending.pending();
        Ok(())
    })
}

/// Frees a filter. `tb_messenger_filter_free(NULL)` does nothing.
///
/// # Safety
///
/// `filter` is NULL or a filter from `tb_messenger_filter_new`, not freed yet, and
/// no other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_filter_free(filter: *mut tb_messenger_filter) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_handle(filter) }
}

/// The filter behind an optional filter argument: NULL is no filter.
///
/// # Safety
///
/// `filter` is NULL or a live filter not changed during `'a`.
pub(crate) unsafe fn filter_arg<'a>(filter: *const tb_messenger_filter) -> &'a MessengerFilter {
    static NONE: std::sync::OnceLock<MessengerFilter> = std::sync::OnceLock::new();
    // SAFETY: the caller promises NULL or a live filter.
    match unsafe { filter.as_ref() } {
        Some(f) => &f.0,
        None => NONE.get_or_init(MessengerFilter::default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last_message() -> String {
        super::super::error::last_message_for_tests().unwrap()
    }

    #[test]
    fn setters_build_the_filter_and_name_bad_arguments() {
        let f = tb_messenger_filter_new();
        // SAFETY: a live filter and static C strings.
        unsafe {
            assert_eq!(
                tb_messenger_filter_set_department_alias(f, c"SAC".as_ptr()),
                tb_status::TB_OK
            );
            assert_eq!(
                tb_messenger_filter_set_date_from(f, 2024, 1, 1),
                tb_status::TB_OK
            );
            assert_eq!(
                tb_messenger_filter_set_date_to(f, 2024, 12, 31),
                tb_status::TB_OK
            );
            assert_eq!(tb_messenger_filter_set_status(f, 2), tb_status::TB_OK);
            assert_eq!(tb_messenger_filter_set_pending(f, 2), tb_status::TB_OK);
            let wire = (*f).0.to_wire();
            assert_eq!(wire["departmentAlias"], "SAC");
            assert_eq!(wire["dataIni"], "01/01/2024");
            assert_eq!(wire["dataFim"], "31/12/2024");
            assert_eq!(wire["status"], "E");
            assert_eq!(wire["pendentes"], "N");

            assert_eq!(
                tb_messenger_filter_set_date_from(f, 2024, 2, 30),
                tb_status::TB_INVALID_ARGUMENT
            );
            assert!(
                last_message().contains("`day`: 2024-02 has no day 30"),
                "{}",
                last_message()
            );
            assert_eq!(
                tb_messenger_filter_set_date_from(f, 2024, 13, 1),
                tb_status::TB_INVALID_ARGUMENT
            );
            assert!(last_message().contains("`month`"), "{}", last_message());
            assert_eq!(
                tb_messenger_filter_set_date_to(f, 0, 1, 1),
                tb_status::TB_INVALID_ARGUMENT
            );
            assert!(last_message().contains("`year`"), "{}", last_message());
            assert_eq!(
                tb_messenger_filter_set_date_from(f, 2025, 1, 1),
                tb_status::TB_INVALID_ARGUMENT
            );
            assert!(
                last_message().contains("after the filter's date_to"),
                "{}",
                last_message()
            );
            assert_eq!(
                tb_messenger_filter_set_status(f, 3),
                tb_status::TB_INVALID_ARGUMENT
            );
            assert!(last_message().contains("`status`"), "{}", last_message());
            assert_eq!(
                tb_messenger_filter_set_pending(f, -1),
                tb_status::TB_INVALID_ARGUMENT
            );
            assert_eq!(
                tb_messenger_filter_set_channel_alias(f, c"a\xff".as_ptr()),
                tb_status::TB_INVALID_ARGUMENT
            );
            assert!(last_message().contains("`alias`"), "{}", last_message());
            assert_eq!(
                tb_messenger_filter_set_status(std::ptr::null_mut(), 0),
                tb_status::TB_INVALID_ARGUMENT
            );
            assert!(last_message().contains("`filter`"), "{}", last_message());

            // Widening again.
            assert_eq!(
                tb_messenger_filter_set_department_alias(f, std::ptr::null()),
                tb_status::TB_OK
            );
            assert_eq!(
                tb_messenger_filter_set_date_from(f, 0, 0, 0),
                tb_status::TB_OK
            );
            assert_eq!(
                tb_messenger_filter_set_date_to(f, 0, 0, 0),
                tb_status::TB_OK
            );
            assert_eq!(tb_messenger_filter_set_status(f, 0), tb_status::TB_OK);
            assert_eq!(tb_messenger_filter_set_pending(f, 0), tb_status::TB_OK);
            assert_eq!((*f).0, MessengerFilter::default());
            tb_messenger_filter_free(f);
        }
    }
}
