package io.tokenbridge;

import com.sun.jna.Callback;
import com.sun.jna.IntegerType;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

import java.util.HashMap;
import java.util.Map;

/**
 * The C ABI of {@code libtokenbridge}, one method per {@code tb_} function
 * (see {@code include/tokenbridge.h}). Most code should use {@link Config},
 * {@link UContactClient}, {@link YativoClient} and {@link AnnaClient} instead.
 *
 * <p>Mapping rules:
 * <ul>
 * <li>{@code tb_status} and the other C enums are {@code int}; {@code bool} is
 *     {@code byte} (C's {@code bool} is one byte; JNA's {@code boolean} is four);
 *     {@code uint16_t} is {@code short}, {@code uint32_t} {@code int},
 *     {@code uint64_t}/{@code int64_t} {@code long} (mask unsigned values).</li>
 * <li>Strings passed in are {@code byte[]}: UTF-8 with a terminating NUL, or
 *     {@code null} for NULL (see {@code Ffi.cstr}). Not {@code String}: JNA
 *     encodes {@code String} arguments with its default encoding ({@code jna.encoding},
 *     else the platform's), ignoring {@link Library#OPTION_STRING_ENCODING}, which it
 *     applies only to {@code String[]} and returned strings.</li>
 * <li>Owned strings (a client call's {@code char **out}, the last-error messages) are
 *     taken as {@link Pointer} (a {@code String} return would leak them): copy with
 *     {@code getString(0, "UTF-8")}, then free with {@link #tb_string_free}. The static
 *     strings of {@link #tb_status_name} and {@link #tb_version} are {@code Pointer}s
 *     too and are never freed.</li>
 * <li>Lent strings (every accessor of an answer handle: {@code const char **out} plus
 *     {@code size_t *out_len}) are read as {@code pointer.getByteArray(0, len)} decoded
 *     as UTF-8 (a string may hold NUL) before the handle's {@code _free}, and never
 *     freed on their own.</li>
 * <li>Handles are opaque {@link Pointer}s; {@code char **} outputs are
 *     {@link PointerByReference}s, {@code size_t *} outputs {@link SizeTByReference}s,
 *     enum outputs {@link IntByReference}s.</li>
 * </ul>
 *
 * <p>The library is looked up as {@code tokenbridge} on {@code jna.library.path}
 * and the system's paths, or at the file named by the system property
 * {@code tokenbridge.library} when set.
 */
public interface TokenBridgeLibrary extends Library {

    /** The loaded library. */
    TokenBridgeLibrary INSTANCE = Loader.load();

    /** Loads the library (UTF-8 as JNA's string encoding too, for anything JNA converts itself). */
    final class Loader {
        private Loader() {
        }

        static TokenBridgeLibrary load() {
            Map<String, Object> options = new HashMap<String, Object>();
            options.put(Library.OPTION_STRING_ENCODING, "UTF-8");
            String name = System.getProperty("tokenbridge.library", "tokenbridge");
            return Native.load(name, TokenBridgeLibrary.class, options);
        }
    }

    // ---- strings, errors, version ----

    void tb_string_free(Pointer s);

    int tb_last_error_status();

    Pointer tb_last_error_message();

    short tb_last_error_http_status();

    Pointer tb_last_error_vendor_message();

    Pointer tb_last_error_parameter();

    Pointer tb_last_error_reason();

    Pointer tb_status_name(int status);

    Pointer tb_version();

    int tb_version_number();

    // ---- logging ----

    /** C's {@code size_t}. */
    final class SizeT extends IntegerType {
        private static final long serialVersionUID = 1L;

        /** Zero (JNA needs a public no-argument constructor). */
        public SizeT() {
            this(0);
        }

        /** The value {@code value}. */
        public SizeT(long value) {
            super(Native.SIZE_T_SIZE, value, true);
        }
    }

    /** {@code tb_log_callback}: the strings are borrowed for the call only. */
    interface LogCallback extends Callback {
        void invoke(Pointer userData, int level, Pointer target, SizeT targetLen, Pointer message,
                SizeT messageLen);
    }

    int tb_set_log_callback(LogCallback callback, int maxLevel, Pointer userData);

    // ---- deadlines and cancellation ----

    Pointer tb_cancel_token_new();

    void tb_cancel_token_cancel(Pointer token);

    byte tb_cancel_token_is_cancelled(Pointer token);

    void tb_cancel_token_free(Pointer token);

    Pointer tb_call_options_new();

    int tb_call_options_set_deadline_ms(Pointer opts, long deadlineMs);

    int tb_call_options_set_cancel_token(Pointer opts, Pointer token);

    void tb_call_options_free(Pointer opts);

    // ---- requests and responses ----

    int tb_request_new(byte[] method, byte[] path, PointerByReference out);

    int tb_request_add_query(Pointer request, byte[] name, byte[] value);

    int tb_request_add_header(Pointer request, byte[] name, byte[] value);

    int tb_request_add_form_field(Pointer request, byte[] name, byte[] value);

    int tb_request_set_json(Pointer request, byte[] json);

    int tb_request_set_body(Pointer request, byte[] contentType, byte[] bytes, SizeT len);

    int tb_request_set_idempotency_key(Pointer request, byte[] idempotencyKey);

    int tb_request_allow_authorization_header(Pointer request, byte allow);

    void tb_request_free(Pointer request);

    short tb_response_status(Pointer response);

    int tb_response_body(Pointer response, PointerByReference outBytes, SizeTByReference outLen);

    SizeT tb_response_header_count(Pointer response);

    int tb_response_header_at(Pointer response, SizeT index, PointerByReference outName, SizeTByReference outNameLen,
            PointerByReference outValue, SizeTByReference outValueLen);

    void tb_response_free(Pointer response);

    // ---- Yativo webhooks (secrets: an array of NUL-terminated UTF-8 pointers) ----

    int tb_yativo_webhook_verify(byte[] body, SizeT bodyLen, byte[] headerName, byte[] headerValue, Pointer[] secrets,
            SizeT secretCount, PointerByReference out);

    int tb_yativo_event_type(Pointer event, PointerByReference out, SizeTByReference outLen);

    int tb_yativo_event_id(Pointer event, PointerByReference out, SizeTByReference outLen);

    int tb_yativo_event_created_at(Pointer event, LongByReference out);

    int tb_yativo_event_data_json(Pointer event, PointerByReference outJson, SizeTByReference outLen);

    int tb_yativo_event_secret_index(Pointer event, SizeTByReference out);

    void tb_yativo_event_free(Pointer event);

    /** A {@code size_t *} output. */
    final class SizeTByReference extends com.sun.jna.ptr.ByReference {
        /** Zero. */
        public SizeTByReference() {
            super(Native.SIZE_T_SIZE);
            getPointer().setMemory(0, Native.SIZE_T_SIZE, (byte) 0);
        }

        /** The value written. */
        public long getValue() {
            return Native.SIZE_T_SIZE == 8 ? getPointer().getLong(0) : getPointer().getInt(0) & 0xFFFFFFFFL;
        }
    }

    // ---- config ----

    Pointer tb_config_new();

    void tb_config_free(Pointer cfg);

    int tb_config_set_timeout_connect_ms(Pointer cfg, long ms);

    int tb_config_set_timeout_send_ms(Pointer cfg, long ms);

    int tb_config_set_timeout_receive_ms(Pointer cfg, long ms);

    int tb_config_set_proxy(Pointer cfg, byte[] url);

    int tb_config_set_no_proxy(Pointer cfg);

    int tb_config_set_user_agent(Pointer cfg, byte[] userAgent);

    int tb_config_set_allow_http(Pointer cfg, byte allow);

    int tb_config_set_max_response_bytes(Pointer cfg, long bytes);

    int tb_config_set_tls_roots(Pointer cfg, int roots);

    int tb_config_set_extra_ca_file(Pointer cfg, byte[] path);

    int tb_config_set_retries(Pointer cfg, int maxRetries, long baseDelayMs, long maxDelayMs);

    int tb_config_set_refresh_ahead_ms(Pointer cfg, long ms);

    int tb_config_set_dns_cache_ttl_ms(Pointer cfg, long ms);

    int tb_config_set_end_session_on_close(Pointer cfg, byte on);

    int tb_config_set_token_store(Pointer cfg, byte[] url);

    // ---- uContact ----

    int tb_ucontact_client_new(Pointer cfg, byte[] server, byte[] user, byte[] password, int kind,
            PointerByReference out);

    void tb_ucontact_client_free(Pointer client);

    int tb_ucontact_client_with_options(Pointer client, Pointer opts, PointerByReference out);

    int tb_ucontact_send(Pointer client, Pointer request, PointerByReference out);

    int tb_ucontact_get_user_token(Pointer client, PointerByReference outToken);

    int tb_ucontact_agent_login(Pointer client, PointerByReference outProfile);

    int tb_ucontact_end_session(Pointer client);

    int tb_ucontact_token(Pointer client, PointerByReference outToken);

    int tb_ucontact_set_token(Pointer client, byte[] token);


    // ---- Yativo ----

    int tb_yativo_client_new(Pointer cfg, byte[] baseUrl, byte[] accountId, byte[] appSecret,
            PointerByReference out);

    void tb_yativo_client_free(Pointer client);

    int tb_yativo_client_with_options(Pointer client, Pointer opts, PointerByReference out);

    int tb_yativo_send(Pointer client, Pointer request, PointerByReference out);

    int tb_yativo_login(Pointer client, PointerByReference outAccessToken, LongByReference outExpiresAt);

    int tb_yativo_refresh_token(Pointer client, PointerByReference outAccessToken, LongByReference outExpiresAt);

    int tb_yativo_token(Pointer client, PointerByReference outToken);

    int tb_yativo_set_token(Pointer client, byte[] token, long expiresAt);


    // ---- AnnA ----

    int tb_anna_client_new(Pointer cfg, byte[] baseUrl, byte[] companyHash, byte[] user, byte[] password,
            PointerByReference out);

    void tb_anna_client_free(Pointer client);

    int tb_anna_client_with_options(Pointer client, Pointer opts, PointerByReference out);

    int tb_anna_send(Pointer client, Pointer request, PointerByReference out);

    int tb_anna_get_token(Pointer client, PointerByReference outToken, LongByReference outExpiresAt);

    int tb_anna_user_hash(Pointer client, byte[] userId, byte[] startService, PointerByReference outAccessData);

    int tb_anna_user_hash_forced(Pointer client, byte[] userId, byte[] userName, byte[] startService,
            PointerByReference outAccessData);

    int tb_anna_inactivate_user(Pointer client, byte[] userId, PointerByReference outMessage);

    int tb_anna_messenger_structure(Pointer client, PointerByReference outStructure);

    int tb_anna_messenger_alert_counter(Pointer client, byte[] userId, byte[] docType, byte[] docValue,
            Pointer filter, LongByReference outCount);

    int tb_anna_messenger_requests(Pointer client, byte[] userId, byte[] docType, byte[] docValue,
            Pointer filter, PointerByReference outRequests);

    int tb_anna_messenger_link(Pointer client, byte[] userId, byte[] docType, byte[] docValue,
            PointerByReference outLink);

    int tb_anna_token(Pointer client, PointerByReference outToken);

    int tb_anna_set_token(Pointer client, byte[] token, long expiresAt);


    // ---- U2's answer: tb_agent_profile (lent strings) ----

    int tb_agent_profile_name(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_host(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_nat(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_type(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_accountcode(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_callgroup(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_callerid(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_canreinvite(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_context(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_dtmfmode(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_insecure(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_language(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_mailbox(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_pickupgroup(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_qualify(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_disallow(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_allow(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_port(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_defaultuser(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_subscribecontext(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_record(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_email(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_phonetype(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_transport(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_encryption(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_did(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_outboundproxy(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_fullname(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_loglevel(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_token(Pointer profile, PointerByReference out, SizeTByReference outLen);

    int tb_agent_profile_get(Pointer profile, byte[] name, PointerByReference out, SizeTByReference outLen);

    SizeT tb_agent_profile_field_count(Pointer profile);

    int tb_agent_profile_field_at(Pointer profile, SizeT index, PointerByReference outName,
            SizeTByReference outNameLen, PointerByReference outValue, SizeTByReference outValueLen);

    int tb_agent_profile_id(Pointer profile, LongByReference out);

    int tb_agent_profile_limite(Pointer profile, LongByReference out);

    int tb_agent_profile_raw_json(Pointer profile, PointerByReference outJson, SizeTByReference outLen);

    void tb_agent_profile_free(Pointer profile);

    // ---- A2/A3's answer: tb_access_data (lent strings) ----

    /** {@code tb_datetime}: six {@code int32_t}, the server's local time. */
    @Structure.FieldOrder({"year", "month", "day", "hour", "minute", "second"})
    final class TbDatetime extends Structure {
        public int year;
        public int month;
        public int day;
        public int hour;
        public int minute;
        public int second;
    }

    int tb_access_data_hash(Pointer data, PointerByReference out, SizeTByReference outLen);

    int tb_access_data_chat_url(Pointer data, PointerByReference out, SizeTByReference outLen);

    int tb_access_data_embedded_url(Pointer data, PointerByReference out, SizeTByReference outLen);

    int tb_access_data_expires(Pointer data, TbDatetime out);

    int tb_access_data_expires_raw(Pointer data, PointerByReference out, SizeTByReference outLen);

    int tb_access_data_raw_json(Pointer data, PointerByReference outJson, SizeTByReference outLen);

    void tb_access_data_free(Pointer data);

    // ---- A5's answer: tb_messenger_structure (lent strings) ----

    int tb_messenger_structure_companies_hash(Pointer structure, PointerByReference out, SizeTByReference outLen);

    int tb_messenger_structure_companies_name(Pointer structure, PointerByReference out, SizeTByReference outLen);

    SizeT tb_messenger_structure_department_count(Pointer structure);

    int tb_messenger_structure_department(Pointer structure, SizeT department, PointerByReference outAlias,
            SizeTByReference outAliasLen, PointerByReference outName, SizeTByReference outNameLen);

    SizeT tb_messenger_structure_channel_count(Pointer structure, SizeT department);

    int tb_messenger_structure_channel(Pointer structure, SizeT department, SizeT channel,
            PointerByReference outAlias, SizeTByReference outAliasLen, PointerByReference outName,
            SizeTByReference outNameLen);

    int tb_messenger_structure_raw_json(Pointer structure, PointerByReference outJson, SizeTByReference outLen);

    void tb_messenger_structure_free(Pointer structure);

    // ---- A7's answer: tb_messenger_requests (lent strings) ----

    SizeT tb_messenger_requests_count(Pointer list);

    int tb_messenger_requests_department(Pointer list, SizeT index, PointerByReference out, SizeTByReference outLen);

    int tb_messenger_requests_channel(Pointer list, SizeT index, PointerByReference out, SizeTByReference outLen);

    int tb_messenger_requests_description(Pointer list, SizeT index, PointerByReference out, SizeTByReference outLen);

    int tb_messenger_requests_opened_at(Pointer list, SizeT index, PointerByReference out, SizeTByReference outLen);

    int tb_messenger_requests_protocol(Pointer list, SizeT index, PointerByReference out, SizeTByReference outLen);

    int tb_messenger_requests_status_raw(Pointer list, SizeT index, PointerByReference out, SizeTByReference outLen);

    int tb_messenger_requests_link(Pointer list, SizeT index, PointerByReference out, SizeTByReference outLen);

    int tb_messenger_requests_status(Pointer list, SizeT index, IntByReference out);

    int tb_messenger_requests_pending(Pointer list, SizeT index, IntByReference out);

    int tb_messenger_requests_get(Pointer list, SizeT index, byte[] name, PointerByReference out,
            SizeTByReference outLen);

    SizeT tb_messenger_requests_field_count(Pointer list, SizeT index);

    int tb_messenger_requests_field_at(Pointer list, SizeT index, SizeT field, PointerByReference outName,
            SizeTByReference outNameLen, PointerByReference outValue, SizeTByReference outValueLen);

    int tb_messenger_requests_raw_json(Pointer list, PointerByReference outJson, SizeTByReference outLen);

    void tb_messenger_requests_free(Pointer list);

    // ---- A6/A7's input: tb_messenger_filter ----

    Pointer tb_messenger_filter_new();

    int tb_messenger_filter_set_department_alias(Pointer filter, byte[] alias);

    int tb_messenger_filter_set_channel_alias(Pointer filter, byte[] alias);

    int tb_messenger_filter_set_date_from(Pointer filter, int year, int month, int day);

    int tb_messenger_filter_set_date_to(Pointer filter, int year, int month, int day);

    int tb_messenger_filter_set_status(Pointer filter, int status);

    int tb_messenger_filter_set_pending(Pointer filter, int pending);

    void tb_messenger_filter_free(Pointer filter);
}
