// MessengerFilter.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>
    /// Which messenger requests <see cref="AnnaClient.GetMessengerAlertCounter"/> and
    /// <see cref="AnnaClient.GetMessengerRequests"/> count or list; a null (or empty)
    /// property does not filter. A plain object: each call builds the library's filter
    /// from it (<c>tb_messenger_filter_*</c>), so one filter may serve many calls and
    /// threads. A bad value is an <see cref="ArgumentException"/> naming the call's
    /// <c>filter</c> parameter and the property; nothing is sent.
    /// </summary>
    public sealed class MessengerFilter
    {
        /// <summary>Only this department (its <see cref="MessengerDepartment.Alias"/>).</summary>
        public string DepartmentAlias { get; set; }
        /// <summary>Only this channel (its <see cref="MessengerChannel.Alias"/>).</summary>
        public string ChannelAlias { get; set; }
        /// <summary>Opened on or after this day (the time of day is ignored).</summary>
        public DateTime? DateFrom { get; set; }
        /// <summary>Opened on or before this day (the time of day is ignored); not before <see cref="DateFrom"/>.</summary>
        public DateTime? DateTo { get; set; }
        /// <summary>Only open or only closed requests.</summary>
        public MessengerRequestStatus? Status { get; set; }
        /// <summary>Only pending (true) or only not pending (false) requests.</summary>
        public bool? Pending { get; set; }

        /// <summary>Never null: the library's filter, checked (the caller frees it).</summary>
        internal MessengerFilterHandle ToNative(string parameter)
        {
            if (DateFrom.HasValue && DateTo.HasValue && DateFrom.Value.Date > DateTo.Value.Date)
                throw new ArgumentException(parameter + ".DateFrom (" + Day(DateFrom.Value) + ") is after " + parameter + ".DateTo (" + Day(DateTo.Value) + ")", parameter);
            if (Status.HasValue && Status.Value != MessengerRequestStatus.Open && Status.Value != MessengerRequestStatus.Closed)
                throw new ArgumentException(parameter + ".Status is not a MessengerRequestStatus", parameter);
            var f = Native.tb_messenger_filter_new();
            if (f.IsInvalid) throw new OutOfMemoryException("tb_messenger_filter_new returned NULL");
            try
            {
                // A refused value is ArgumentException naming the parameter and its property
                // ("filter.DateFrom"), from the C parameter as data.
                if (!string.IsNullOrEmpty(DepartmentAlias))
                    Native.Check(Native.tb_messenger_filter_set_department_alias(f, Native.OptionalUtf8(DepartmentAlias, parameter, parameter + ".DepartmentAlias")), ParamNames.FilterDepartment, parameter);
                if (!string.IsNullOrEmpty(ChannelAlias))
                    Native.Check(Native.tb_messenger_filter_set_channel_alias(f, Native.OptionalUtf8(ChannelAlias, parameter, parameter + ".ChannelAlias")), ParamNames.FilterChannel, parameter);
                if (DateFrom.HasValue)
                {
                    var d = DateFrom.Value;
                    Native.Check(Native.tb_messenger_filter_set_date_from(f, d.Year, d.Month, d.Day), ParamNames.FilterDateFrom, parameter);
                }
                if (DateTo.HasValue)
                {
                    var d = DateTo.Value;
                    Native.Check(Native.tb_messenger_filter_set_date_to(f, d.Year, d.Month, d.Day), ParamNames.FilterDateTo, parameter);
                }
                if (Status.HasValue)
                    Native.Check(Native.tb_messenger_filter_set_status(f, (int)Status.Value), ParamNames.FilterStatus, parameter);
                if (Pending.HasValue)
                    Native.Check(Native.tb_messenger_filter_set_pending(f, Pending.Value ? 1 : 2), ParamNames.FilterPending, parameter);
                return f;
            }
            catch
            {
                f.Dispose();
                throw;
            }
        }

        private static string Day(DateTime d)
        {
            return d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        /// <summary>The filter in words, e.g. for a log.</summary>
        public override string ToString()
        {
            var parts = new List<string>();
            if (!string.IsNullOrEmpty(DepartmentAlias)) parts.Add("department " + DepartmentAlias);
            if (!string.IsNullOrEmpty(ChannelAlias)) parts.Add("channel " + ChannelAlias);
            if (DateFrom.HasValue) parts.Add("from " + Day(DateFrom.Value));
            if (DateTo.HasValue) parts.Add("to " + Day(DateTo.Value));
            if (Status.HasValue) parts.Add(Status.Value.ToString().ToLowerInvariant());
            if (Pending.HasValue) parts.Add(Pending.Value ? "pending" : "not pending");
            return "MessengerFilter(" + (parts.Count == 0 ? "everything" : string.Join(", ", parts)) + ")";
        }
    }
}
