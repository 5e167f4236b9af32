// ParamNames.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Reflection;

namespace TokenBridge
{
    /// <summary>
    /// For one or more C functions: which C# name stands for each C parameter the library
    /// may name in <c>tb_last_error_parameter()</c>. <see cref="Native.Check"/> maps the
    /// name it reads (data, never the English message) through it; a C name with no entry
    /// is the same in C#. Every map is a static field here, so Tests.cs checks each C name
    /// against include/tokenbridge.h: a C rename fails the tests, not users.
    /// </summary>
    internal sealed class ParamNames
    {
        /// <summary>The C functions (e.g. <c>tb_config_set_timeout_connect_ms</c>) the names are parameters of.</summary>
        internal readonly string[] Functions;
        private readonly string[] pairs;

        private ParamNames(string functions, params string[] pairs)
        {
            Functions = functions.Split(' ');
            this.pairs = pairs;
        }

        /// <summary>(C name, C# name) pairs.</summary>
        internal IEnumerable<KeyValuePair<string, string>> Pairs
        {
            get
            {
                for (int i = 0; i + 1 < pairs.Length; i += 2)
                    yield return new KeyValuePair<string, string>(pairs[i], pairs[i + 1]);
            }
        }

        /// <summary>The C# name of C parameter <paramref name="c"/> (itself when the map has none; null stays null).</summary>
        internal static string Map(ParamNames names, string c)
        {
            if (names != null)
                for (int i = 0; i + 1 < names.pairs.Length; i += 2)
                    if (names.pairs[i] == c) return names.pairs[i + 1];
            return c;
        }

        /// <summary>Every map below (for the tests).</summary>
        internal static IEnumerable<KeyValuePair<string, ParamNames>> All()
        {
            foreach (var f in typeof(ParamNames).GetFields(BindingFlags.Static | BindingFlags.NonPublic))
                if (f.FieldType == typeof(ParamNames))
                    yield return new KeyValuePair<string, ParamNames>(f.Name, (ParamNames)f.GetValue(null));
        }

        // ---- the maps (C name, C# name) -----------------------------------------------------

        // Settings a client constructor reads from its config: a bad one is the config's fault.
        private const string ConfigSettings = "tb_config_set_extra_ca_file tb_config_set_proxy tb_config_set_token_store";

        internal static readonly ParamNames UContactNew = new ParamNames("tb_ucontact_client_new " + ConfigSettings,
            "cfg", "config", "extra_ca_file", "config", "proxy", "config", "token_store", "config");
        internal static readonly ParamNames YativoNew = new ParamNames("tb_yativo_client_new " + ConfigSettings,
            "cfg", "config", "base_url", "baseUrl", "account_id", "accountId", "app_secret", "appSecret",
            "extra_ca_file", "config", "proxy", "config", "token_store", "config");
        internal static readonly ParamNames AnnaNew = new ParamNames("tb_anna_client_new " + ConfigSettings,
            "cfg", "config", "base_url", "baseUrl", "company_hash", "companyHash",
            "extra_ca_file", "config", "proxy", "config", "token_store", "config");

        internal static readonly ParamNames TimeoutConnect = new ParamNames("tb_config_set_timeout_connect_ms", "timeout_connect_ms", "timeout");
        internal static readonly ParamNames TimeoutSend = new ParamNames("tb_config_set_timeout_send_ms", "timeout_send_ms", "timeout");
        internal static readonly ParamNames TimeoutReceive = new ParamNames("tb_config_set_timeout_receive_ms", "timeout_receive_ms", "timeout");
        internal static readonly ParamNames UserAgent = new ParamNames("tb_config_set_user_agent", "user_agent", "userAgent");
        internal static readonly ParamNames MaxResponseBytes = new ParamNames("tb_config_set_max_response_bytes", "max_response_bytes", "maxBytes");
        internal static readonly ParamNames Retries = new ParamNames("tb_config_set_retries",
            "max_retries", "maxRetries", "base_delay_ms", "baseDelay", "max_delay_ms", "maxDelay");
        internal static readonly ParamNames RefreshAhead = new ParamNames("tb_config_set_refresh_ahead_ms", "refresh_ahead_ms", "refreshAhead");
        internal static readonly ParamNames DnsCacheTtl = new ParamNames("tb_config_set_dns_cache_ttl_ms", "dns_cache_ttl_ms", "ttl");

        internal static readonly ParamNames Deadline = new ParamNames("tb_call_options_set_deadline_ms", "deadline_ms", "timeout");
        internal static readonly ParamNames LogCallback = new ParamNames("tb_set_log_callback", "callback", "logger", "max_level", "maxLevel");

        internal static readonly ParamNames SetTokenExpiry = new ParamNames("tb_yativo_set_token tb_anna_set_token", "expires_at", "expiresAt");
        internal static readonly ParamNames UserHash = new ParamNames("tb_anna_user_hash", "user_id", "userId", "start_service", "startService");
        internal static readonly ParamNames UserHashForced = new ParamNames("tb_anna_user_hash_forced",
            "user_id", "userId", "user_name", "userName", "start_service", "startService");
        internal static readonly ParamNames InactivateUser = new ParamNames("tb_anna_inactivate_user", "user_id", "userId");
        // A messenger call's user selection is one C# parameter, an AnnaUser.
        internal static readonly ParamNames MessengerUser = new ParamNames("tb_anna_messenger_alert_counter tb_anna_messenger_requests tb_anna_messenger_link",
            "user_id", "user", "doc_type", "user", "doc_value", "user");

        // A webhook's parts; a bad secret list is the caller's `secrets`.
        internal static readonly ParamNames WebhookVerify = new ParamNames("tb_yativo_webhook_verify",
            "header_name", "headerName", "header_value", "headerValue", "secret_count", "secrets", "body_len", "body");

        internal static readonly ParamNames RequestBody = new ParamNames("tb_request_set_body", "content_type", "contentType", "bytes", "body");
        internal static readonly ParamNames IdempotencyKey = new ParamNames("tb_request_set_idempotency_key", "idempotency_key", "idempotencyKey");

        // A filter's values are properties of one C# parameter (MessengerFilter.ToNative puts
        // the parameter's name in front: "filter.DateFrom").
        internal static readonly ParamNames FilterDepartment = new ParamNames("tb_messenger_filter_set_department_alias", "alias", "DepartmentAlias");
        internal static readonly ParamNames FilterChannel = new ParamNames("tb_messenger_filter_set_channel_alias", "alias", "ChannelAlias");
        internal static readonly ParamNames FilterDateFrom = new ParamNames("tb_messenger_filter_set_date_from tb_messenger_filter_set_date_to",
            "year", "DateFrom", "month", "DateFrom", "day", "DateFrom", "date_from", "DateFrom", "date_to", "DateTo");
        internal static readonly ParamNames FilterDateTo = new ParamNames("tb_messenger_filter_set_date_to tb_messenger_filter_set_date_from",
            "year", "DateTo", "month", "DateTo", "day", "DateTo", "date_to", "DateTo", "date_from", "DateFrom");
        internal static readonly ParamNames FilterStatus = new ParamNames("tb_messenger_filter_set_status", "status", "Status");
        internal static readonly ParamNames FilterPending = new ParamNames("tb_messenger_filter_set_pending", "pending", "Pending");
    }
}
