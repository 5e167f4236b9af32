package io.tokenbridge;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.ptr.ShortByReference;

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
 * <li>Strings the library allocates are taken as {@link Pointer} (a {@code String}
 *     return would leak them): copy with {@code getString(0, "UTF-8")}, then free
 *     with {@link #tb_string_free}. The static strings of {@link #tb_status_name}
 *     and {@link #tb_version} are {@code Pointer}s too and are never freed.</li>
 * <li>Handles are opaque {@link Pointer}s; {@code char **} outputs are
 *     {@link PointerByReference}s.</li>
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

    Pointer tb_status_name(int status);

    Pointer tb_version();

    int tb_version_number();

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

    // ---- uContact ----

    int tb_ucontact_client_new(Pointer cfg, byte[] server, byte[] user, byte[] password, int kind,
            PointerByReference out);

    void tb_ucontact_client_free(Pointer client);

    int tb_ucontact_get_user_token(Pointer client, PointerByReference outToken);

    int tb_ucontact_agent_login(Pointer client, PointerByReference outProfileJson);

    int tb_ucontact_end_session(Pointer client);

    int tb_ucontact_token(Pointer client, PointerByReference outToken);

    int tb_ucontact_set_token(Pointer client, byte[] token);

    int tb_ucontact_call(Pointer client, byte[] method, byte[] path, int bodyKind, byte[] body,
            ShortByReference outStatus, PointerByReference outBody);

    // ---- Yativo ----

    int tb_yativo_client_new(Pointer cfg, byte[] baseUrl, byte[] accountId, byte[] appSecret,
            PointerByReference out);

    void tb_yativo_client_free(Pointer client);

    int tb_yativo_login(Pointer client, PointerByReference outAccessToken, LongByReference outExpiresAt);

    int tb_yativo_refresh_token(Pointer client, PointerByReference outAccessToken, LongByReference outExpiresAt);

    int tb_yativo_token(Pointer client, PointerByReference outToken);

    int tb_yativo_set_token(Pointer client, byte[] token, long expiresAt);

    int tb_yativo_call(Pointer client, byte[] method, byte[] path, int bodyKind, byte[] body,
            ShortByReference outStatus, PointerByReference outBody);

    // ---- AnnA ----

    int tb_anna_client_new(Pointer cfg, byte[] baseUrl, byte[] companyHash, byte[] user, byte[] pass,
            PointerByReference out);

    void tb_anna_client_free(Pointer client);

    int tb_anna_get_token(Pointer client, PointerByReference outToken, LongByReference outExpiresAt);

    int tb_anna_user_hash(Pointer client, byte[] userId, byte[] startService, PointerByReference outAccessDataJson);

    int tb_anna_user_hash_forced(Pointer client, byte[] userId, byte[] userName, byte[] startService,
            PointerByReference outAccessDataJson);

    int tb_anna_inactivate_user(Pointer client, byte[] userId, PointerByReference outMessage);

    int tb_anna_messenger_structure(Pointer client, PointerByReference outStructureJson);

    int tb_anna_messenger_alert_counter(Pointer client, byte[] userId, byte[] docType, byte[] docValue,
            byte[] filterJson, LongByReference outCount);

    int tb_anna_messenger_requests(Pointer client, byte[] userId, byte[] docType, byte[] docValue,
            byte[] filterJson, PointerByReference outRequestsJson);

    int tb_anna_messenger_link(Pointer client, byte[] userId, byte[] docType, byte[] docValue,
            PointerByReference outLink);

    int tb_anna_token(Pointer client, PointerByReference outToken);

    int tb_anna_set_token(Pointer client, byte[] token, long expiresAt);

    int tb_anna_call(Pointer client, byte[] method, byte[] path, int bodyKind, byte[] body,
            ShortByReference outStatus, PointerByReference outBody);
}
