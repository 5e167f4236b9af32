// TokenBridge for .NET: clients (blocking, and Tasks that cancel for real) for the uContact, Yativo and AnnA REST APIs,
// a thin P/Invoke face over the tokenbridge C ABI (docs/c-api.md, include/tokenbridge.h).
// The sources are src/**/*.cs, one file per type (the SafeHandles grouped in
// Native/ClientHandles.cs and Native/AnswerHandles.cs): add them to a project and ship the
// native library beside it (libtokenbridge.so / tokenbridge.dll / libtokenbridge.dylib), or
// use TokenBridge.csproj, which packs it under runtimes/<rid>/native/. This file holds the
// P/Invoke declarations (class Native) and the memory rules every other file follows.
//
// Source level: C# 7.0 (Mono's `mcs -langversion:7`), .NET Standard 2.0, .NET 6+, Mono.
//
// Memory rules kept here (see STYLE.md, "Bindings"):
// * No P/Invoke returns `string`: the marshaller would free the library's memory with the
//   runtime's allocator. Strings come back as IntPtr, are copied as UTF-8 and handed to
//   tb_string_free (static strings such as tb_version are copied and never freed).
// * Strings go in as UTF-8 byte arrays with a trailing NUL (the default marshalling is
//   ANSI on Mono and .NET Framework, which would mangle any non-ASCII password).
// * Two kinds of strings come out (the header's one rule): OWNED ones from a client call's
//   `char **out` (tokens, links, messages, last-error texts) are copied, then given to
//   tb_string_free (TakeString); LENT ones from an answer handle's accessors (IntPtr +
//   length) are copied as UTF-8 with Marshal.Copy while the handle lives (Lent, CopyUtf8)
//   and never freed by us. C `bool` arguments are [MarshalAs(U1)]; no export used here
//   returns a bool (getters return a tb_status); tb_datetime is a sequential struct of six
//   int32 (Native.DateTimeParts).
// * Each handle type has its own SafeHandle class whose ReleaseHandle calls the matching
//   tb_*_free, so a handle is freed exactly once, never while a call on it is running,
//   and even when Dispose is forgotten. The finalizer thread never waits for the network:
//   a forgotten uContact client (whose free may send EndSession) is freed on the thread
//   pool instead (UContactHandle).
// * Answers (agent profile, access data, messenger structure and requests) are handles
//   read with the library's accessors; each model copies what it needs in its constructor
//   and the handle is freed before the call returns, so models hold no native memory and
//   need no Dispose. There is no JSON parser here: the only JSON is the RawJson escape
//   hatches (text, not parsed) and the bodies a TokenBridgeRequest sends.
// * Borrowed memory (log records, tb_response_*) is copied before the call returns or the
//   handle is freed.
// * Async: one helper (Calls.Run) runs the blocking call on the thread pool on a handle of
//   the same client made with tb_<api>_client_with_options and a tb_cancel_token of its
//   own; CancellationToken.Register cancels that token, so the native call stops.
// * Logging: the delegate the library calls is a static field (alive for the process) and
//   catches everything: no exception unwinds into native code.
// * Errors: TB_TIMEOUT is TimeoutException, TB_CANCELLED OperationCanceledException (each
//   wrapping the TokenBridgeException); a null argument is ArgumentNullException naming the
//   C# parameter, and a value the library refuses (TB_INVALID_ARGUMENT) ArgumentException
//   naming the C# parameter (for a value inside an options object such as MessengerFilter,
//   the parameter and the property). The C parameter comes as data
//   (tb_last_error_parameter/_reason), mapped to the C# name by a ParamNames map: no
//   English is rewritten.
// * Answers: TB_ABSENT (a field the server did not send) is null, never an exception.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    internal static class Native
    {
        private const string Lib = "tokenbridge";
        private const CallingConvention Cdecl = CallingConvention.Cdecl;

        // Strings: `byte[]` in (UTF-8 + NUL, null = NULL), `out IntPtr` out (freed with
        // tb_string_free). C `bool` is one byte, hence MarshalAs(U1). Enums are int-sized.

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_string_free(IntPtr s);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern IntPtr tb_status_name(int status);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern IntPtr tb_version();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern uint tb_version_number();

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_last_error_status();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern IntPtr tb_last_error_message();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern ushort tb_last_error_http_status();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern IntPtr tb_last_error_vendor_message();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern IntPtr tb_last_error_parameter();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern IntPtr tb_last_error_reason();

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern ConfigHandle tb_config_new();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_config_free(IntPtr cfg);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_timeout_connect_ms(ConfigHandle cfg, ulong ms);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_timeout_send_ms(ConfigHandle cfg, ulong ms);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_timeout_receive_ms(ConfigHandle cfg, ulong ms);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_proxy(ConfigHandle cfg, byte[] url);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_no_proxy(ConfigHandle cfg);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_user_agent(ConfigHandle cfg, byte[] userAgent);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_allow_http(ConfigHandle cfg, [MarshalAs(UnmanagedType.U1)] bool allow);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_max_response_bytes(ConfigHandle cfg, ulong bytes);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_tls_roots(ConfigHandle cfg, int roots);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_extra_ca_file(ConfigHandle cfg, byte[] path);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_retries(ConfigHandle cfg, uint maxRetries, ulong baseDelayMs, ulong maxDelayMs);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_refresh_ahead_ms(ConfigHandle cfg, ulong ms);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_dns_cache_ttl_ms(ConfigHandle cfg, ulong ms);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_end_session_on_close(ConfigHandle cfg, [MarshalAs(UnmanagedType.U1)] bool endSession);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_token_store(ConfigHandle cfg, byte[] url);

        // Client constructors take the config as IntPtr because it may be NULL; WithConfig
        // keeps the config's SafeHandle referenced for the duration of the call.
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_client_new(IntPtr cfg, byte[] server, byte[] user, byte[] password, int kind, out UContactHandle client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_ucontact_client_free(IntPtr client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_client_new(IntPtr cfg, byte[] baseUrl, byte[] accountId, byte[] appSecret, out YativoHandle client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_yativo_client_free(IntPtr client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_client_new(IntPtr cfg, byte[] baseUrl, byte[] companyHash, byte[] user, byte[] password, out AnnaHandle client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_anna_client_free(IntPtr client);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_get_user_token(UContactHandle c, out IntPtr token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_agent_login(UContactHandle c, out AgentProfileHandle profile);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_end_session(UContactHandle c);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_token(UContactHandle c, out IntPtr token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_set_token(UContactHandle c, byte[] token);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_login(YativoHandle c, out IntPtr token, out long expiresAt);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_refresh_token(YativoHandle c, out IntPtr token, out long expiresAt);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_token(YativoHandle c, out IntPtr token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_set_token(YativoHandle c, byte[] token, long expiresAt);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_get_token(AnnaHandle c, out IntPtr token, out long expiresAt);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_token(AnnaHandle c, out IntPtr token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_set_token(AnnaHandle c, byte[] token, long expiresAt);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_user_hash(AnnaHandle c, byte[] userId, byte[] startService, out AccessDataHandle data);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_user_hash_forced(AnnaHandle c, byte[] userId, byte[] userName, byte[] startService, out AccessDataHandle data);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_inactivate_user(AnnaHandle c, byte[] userId, out IntPtr message);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_messenger_structure(AnnaHandle c, out MessengerStructureHandle structure);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_messenger_alert_counter(AnnaHandle c, byte[] userId, byte[] docType, byte[] docValue, MessengerFilterHandle filter, out ulong count);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_messenger_requests(AnnaHandle c, byte[] userId, byte[] docType, byte[] docValue, MessengerFilterHandle filter, out MessengerRequestsHandle list);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_messenger_link(AnnaHandle c, byte[] userId, byte[] docType, byte[] docValue, out IntPtr link);

        // Answers as handles read with accessors. Every string an accessor gives is LENT:
        // IntPtr + length, copied as UTF-8 (CopyUtf8) while the handle lives, never freed
        // by us (the handle's free wipes it). A field the server did not send is TB_ABSENT
        // (not a failure) with NULL / 0: null here. One getter per published field.
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_name(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_host(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_nat(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_type(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_accountcode(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_callgroup(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_callerid(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_canreinvite(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_context(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_dtmfmode(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_insecure(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_language(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_mailbox(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_pickupgroup(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_qualify(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_disallow(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_allow(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_port(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_defaultuser(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_subscribecontext(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_record(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_email(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_phonetype(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_transport(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_encryption(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_did(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_outboundproxy(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_fullname(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_loglevel(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_token(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_get(AgentProfileHandle p, byte[] name, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern UIntPtr tb_agent_profile_field_count(AgentProfileHandle p);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_field_at(AgentProfileHandle p, UIntPtr index, out IntPtr name, out UIntPtr nameLen, out IntPtr value, out UIntPtr valueLen);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_id(AgentProfileHandle p, out long id);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_limite(AgentProfileHandle p, out long limite);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_raw_json(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_agent_profile_free(IntPtr p);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_access_data_hash(AccessDataHandle d, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_access_data_chat_url(AccessDataHandle d, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_access_data_embedded_url(AccessDataHandle d, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_access_data_expires(AccessDataHandle d, out DateTimeParts when);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_access_data_expires_raw(AccessDataHandle d, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_access_data_raw_json(AccessDataHandle d, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_access_data_free(IntPtr d);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_structure_companies_hash(MessengerStructureHandle s, out IntPtr text, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_structure_companies_name(MessengerStructureHandle s, out IntPtr text, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern UIntPtr tb_messenger_structure_department_count(MessengerStructureHandle s);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_structure_department(MessengerStructureHandle s, UIntPtr department, out IntPtr alias, out UIntPtr aliasLen, out IntPtr name, out UIntPtr nameLen);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern UIntPtr tb_messenger_structure_channel_count(MessengerStructureHandle s, UIntPtr department);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_structure_channel(MessengerStructureHandle s, UIntPtr department, UIntPtr channel, out IntPtr alias, out UIntPtr aliasLen, out IntPtr name, out UIntPtr nameLen);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_structure_raw_json(MessengerStructureHandle s, out IntPtr text, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_messenger_structure_free(IntPtr s);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern UIntPtr tb_messenger_requests_count(MessengerRequestsHandle l);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_department(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_channel(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_description(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_opened_at(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_protocol(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_status_raw(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_link(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_status(MessengerRequestsHandle l, UIntPtr index, out int status);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_pending(MessengerRequestsHandle l, UIntPtr index, out int pending);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern UIntPtr tb_messenger_requests_field_count(MessengerRequestsHandle l, UIntPtr index);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_field_at(MessengerRequestsHandle l, UIntPtr index, UIntPtr field, out IntPtr name, out UIntPtr nameLen, out IntPtr value, out UIntPtr valueLen);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_raw_json(MessengerRequestsHandle l, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_messenger_requests_free(IntPtr l);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern MessengerFilterHandle tb_messenger_filter_new();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_filter_set_department_alias(MessengerFilterHandle f, byte[] alias);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_filter_set_channel_alias(MessengerFilterHandle f, byte[] alias);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_filter_set_date_from(MessengerFilterHandle f, int year, int month, int day);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_filter_set_date_to(MessengerFilterHandle f, int year, int month, int day);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_filter_set_status(MessengerFilterHandle f, int status);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_filter_set_pending(MessengerFilterHandle f, int pending);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_messenger_filter_free(IntPtr f);

        /// <summary><c>tb_datetime</c>: six int32, the server's local time.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct DateTimeParts
        {
            public int Year, Month, Day, Hour, Minute, Second;

            /// <summary>
            /// As a <see cref="DateTimeKind.Unspecified"/> DateTime; null when impossible. A leap
            /// second (second 60) is the next second, as the header says: 23:59:60 on
            /// 31 December is 00:00:00 on 1 January.
            /// </summary>
            internal DateTime? ToDateTime()
            {
                try
                {
                    if (Second == 60)
                        return new DateTime(Year, Month, Day, Hour, Minute, 59, DateTimeKind.Unspecified).AddSeconds(1);
                    return new DateTime(Year, Month, Day, Hour, Minute, Second, DateTimeKind.Unspecified);
                }
                catch (ArgumentOutOfRangeException)
                {
                    return null;
                }
            }
        }

        internal delegate int LentText<H>(H handle, out IntPtr s, out UIntPtr len);
        internal delegate int LentItemText<H>(H handle, UIntPtr index, out IntPtr s, out UIntPtr len);

        /// <summary>TB_ABSENT: an answer getter's field was not sent (not a failure).</summary>
        internal const int Absent = 2;

        /// <summary>A lent string of a handle, copied (null when TB_ABSENT: the server did not send it).</summary>
        internal static string Lent<H>(H handle, LentText<H> accessor)
        {
            IntPtr s;
            UIntPtr len;
            if (Present(accessor(handle, out s, out len)))
                return CopyUtf8(s, len);
            return null;
        }

        /// <summary>A lent string of item <paramref name="index"/> of a handle, copied (null when TB_ABSENT).</summary>
        internal static string Lent<H>(H handle, UIntPtr index, LentItemText<H> accessor)
        {
            IntPtr s;
            UIntPtr len;
            if (Present(accessor(handle, index, out s, out len)))
                return CopyUtf8(s, len);
            return null;
        }

        /// <summary>
        /// An answer getter's status: true for TB_OK, false for TB_ABSENT (the field was not
        /// sent; never an error), else throws as <see cref="Check"/>.
        /// </summary>
        internal static bool Present(int status)
        {
            if (status == Absent) return false;
            Check(status);
            return true;
        }

        // Logging: the callback's delegate lives in a static field (Library), for the process.
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate void LogCallback(IntPtr userData, int level, IntPtr target, UIntPtr targetLen, IntPtr message, UIntPtr messageLen);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_set_log_callback(LogCallback callback, int maxLevel, IntPtr userData);

        // Deadlines and cancellation.
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern CancelTokenHandle tb_cancel_token_new();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_cancel_token_cancel(CancelTokenHandle token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_cancel_token_free(IntPtr token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern CallOptionsHandle tb_call_options_new();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_call_options_set_deadline_ms(CallOptionsHandle opts, ulong ms);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_call_options_set_cancel_token(CallOptionsHandle opts, CancelTokenHandle token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_call_options_free(IntPtr opts);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_client_with_options(UContactHandle c, CallOptionsHandle opts, out UContactHandle client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_client_with_options(YativoHandle c, CallOptionsHandle opts, out YativoHandle client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_client_with_options(AnnaHandle c, CallOptionsHandle opts, out AnnaHandle client);

        // Generic calls as typed data. Everything a response hands out is borrowed (IntPtr
        // + length), copied before tb_response_free.
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_new(byte[] method, byte[] path, out RequestHandle request);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_add_query(RequestHandle r, byte[] name, byte[] value);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_add_header(RequestHandle r, byte[] name, byte[] value);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_add_form_field(RequestHandle r, byte[] name, byte[] value);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_set_json(RequestHandle r, byte[] json);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_set_body(RequestHandle r, byte[] contentType, byte[] bytes, UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_set_idempotency_key(RequestHandle r, byte[] key);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_allow_authorization_header(RequestHandle r, [MarshalAs(UnmanagedType.U1)] bool allow);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_request_free(IntPtr r);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_send(UContactHandle c, RequestHandle r, out ResponseHandle response);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_send(YativoHandle c, RequestHandle r, out ResponseHandle response);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_send(AnnaHandle c, RequestHandle r, out ResponseHandle response);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern ushort tb_response_status(ResponseHandle r);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_response_body(ResponseHandle r, out IntPtr bytes, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern UIntPtr tb_response_header_count(ResponseHandle r);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_response_header_at(ResponseHandle r, UIntPtr index, out IntPtr name, out UIntPtr nameLen, out IntPtr value, out UIntPtr valueLen);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_response_free(IntPtr r);

        // Yativo webhooks: the check (secrets as an array of NUL-terminated UTF-8 pointers,
        // wiped and freed by YativoWebhook) and the verified event's getters.
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_webhook_verify(byte[] body, UIntPtr bodyLen, byte[] headerName, byte[] headerValue, IntPtr[] secrets, UIntPtr secretCount, out YativoEventHandle ev);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_event_type(YativoEventHandle e, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_event_id(YativoEventHandle e, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_event_data_json(YativoEventHandle e, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_event_created_at(YativoEventHandle e, out long unixSeconds);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_event_secret_index(YativoEventHandle e, out UIntPtr index);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_yativo_event_free(IntPtr e);

        /// <summary>
        /// A required string as UTF-8 with a trailing NUL: null is <see cref="ArgumentNullException"/>
        /// naming <paramref name="paramName"/>, and so is a NUL character inside an
        /// <see cref="ArgumentException"/> (C would silently cut the string there).
        /// </summary>
        internal static byte[] Utf8(string s, string paramName)
        {
            return OptionalUtf8(NotNull(s, paramName), paramName);
        }

        /// <summary>
        /// An optional string as UTF-8 with a trailing NUL; null stays null (NULL for the library).
        /// A NUL character inside is an <see cref="ArgumentException"/> naming
        /// <paramref name="paramName"/> (the message says <paramref name="what"/>, e.g. a property).
        /// </summary>
        internal static byte[] OptionalUtf8(string s, string paramName, string what = null)
        {
            if (s == null) return null;
            if (s.IndexOf('\0') >= 0)
                throw new ArgumentException("`" + (what ?? paramName) + "` contains a NUL character (U+0000), which cannot cross into the library", paramName);
            int n = Encoding.UTF8.GetByteCount(s);
            var bytes = new byte[n + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        /// <summary>Copies a NUL-terminated UTF-8 string (null for NULL).</summary>
        internal static string CopyStatic(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            int n = 0;
            while (Marshal.ReadByte(p, n) != 0) n++;
            var bytes = new byte[n];
            Marshal.Copy(p, bytes, 0, n);
            return Encoding.UTF8.GetString(bytes);
        }

        /// <summary>Copies a string the library allocated, then frees it with tb_string_free.</summary>
        internal static string TakeString(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            try
            {
                return CopyStatic(p);
            }
            finally
            {
                tb_string_free(p);
            }
        }

        /// <summary>
        /// Throws the thread's last error when <paramref name="status"/> is not TB_OK:
        /// <see cref="TimeoutException"/> for TB_TIMEOUT, <see cref="OperationCanceledException"/>
        /// for TB_CANCELLED (each with the <see cref="TokenBridgeException"/> as its inner
        /// exception), for TB_INVALID_ARGUMENT an <see cref="ArgumentException"/> (an
        /// <see cref="ArgumentNullException"/> for a NULL) naming the C# parameter, else a
        /// <see cref="TokenBridgeException"/>. The refused C parameter is read as data
        /// (<c>tb_last_error_parameter</c>, <c>tb_last_error_reason</c>) and mapped to its C#
        /// name by <paramref name="names"/>; <paramref name="prefix"/> (e.g. "filter") puts
        /// the C# parameter in front of a property: "filter.DateFrom".
        /// </summary>
        internal static void Check(int status, ParamNames names = null, string prefix = null)
        {
            if (status == 0) return;
            // Read right away, on the same thread: the last error is thread-local and the
            // next tb_ call clears it.
            string message = TakeString(tb_last_error_message());
            ushort http = tb_last_error_http_status();
            string vendor = TakeString(tb_last_error_vendor_message());
            string parameter = TakeString(tb_last_error_parameter());
            string reason = TakeString(tb_last_error_reason());
            if (status == (int)TokenBridgeStatus.InvalidArgument && parameter != null)
            {
                string name = ParamNames.Map(names, parameter);
                string shown = prefix == null ? name : prefix + "." + name;
                string text = "invalid argument `" + shown + "`: " + reason;
                var inner = new TokenBridgeException(TokenBridgeStatus.InvalidArgument, text, http, vendor);
                string paramName = prefix ?? name;
                if (reason == "is NULL") throw new ArgumentNullException(paramName, text);
                throw new ArgumentException(text, paramName, inner);
            }
            var e = new TokenBridgeException((TokenBridgeStatus)status, message, http, vendor);
            if (status == (int)TokenBridgeStatus.Timeout) throw new TimeoutException(e.Message, e);
            if (status == (int)TokenBridgeStatus.Cancelled) throw new OperationCanceledException(e.Message, e);
            throw e;
        }

        /// <summary>Throws <see cref="ArgumentNullException"/> naming the C# parameter.</summary>
        internal static T NotNull<T>(T value, string name) where T : class
        {
            if (value == null) throw new ArgumentNullException(name);
            return value;
        }

        /// <summary>Copies <paramref name="len"/> bytes of UTF-8 (borrowed memory) into a string.</summary>
        internal static string CopyUtf8(IntPtr p, UIntPtr len)
        {
            if (p == IntPtr.Zero) return null;
            return Encoding.UTF8.GetString(CopyBytes(p, len));
        }

        /// <summary>Copies <paramref name="len"/> bytes of borrowed memory.</summary>
        internal static byte[] CopyBytes(IntPtr p, UIntPtr len)
        {
            ulong n = len.ToUInt64();
            if (n > int.MaxValue) throw new OutOfMemoryException("more than 2 GiB");
            var bytes = new byte[(int)n];
            if (n > 0) Marshal.Copy(p, bytes, 0, (int)n);
            return bytes;
        }

        internal delegate int ConfigCall(IntPtr cfg);

        internal static void WithConfig(TokenBridgeConfig config, ConfigCall call, ParamNames names)
        {
            if (config == null)
            {
                Check(call(IntPtr.Zero), names);
                return;
            }
            bool added = false;
            try
            {
                config.Handle.DangerousAddRef(ref added);
                Check(call(config.Handle.DangerousGetHandle()), names);
            }
            finally
            {
                if (added) config.Handle.DangerousRelease();
            }
        }

        internal static ulong Millis(TimeSpan t, string name)
        {
            if (t < TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, "must not be negative");
            return (ulong)(t.Ticks / TimeSpan.TicksPerMillisecond);
        }

        internal static DateTimeOffset? FromUnix(long seconds)
        {
            if (seconds == 0) return null;
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        internal static long ToUnix(DateTimeOffset? t)
        {
            return t.HasValue ? t.Value.ToUnixTimeSeconds() : 0;
        }
    }
}
