package io.tokenbridge;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For one or more C functions: which Java name stands for each C parameter the library
 * may name in {@code tb_last_error_parameter()}. {@link Ffi#check(int, ParamNames)} maps
 * the name it reads (data, never the English message) through it; a C name with no
 * entry is the same in Java. Every map is a constant here, so the tests check each C
 * name against {@code include/tokenbridge.h}: a C rename fails the tests, not users.
 */
final class ParamNames {
    /** The C functions the names are parameters of (or, for {@code tb_<handle>_set_<name>}, the field set). */
    final List<String> functions;
    private final String[] pairs;

    private ParamNames(String functions, String... pairs) {
        this.functions = Collections.unmodifiableList(Arrays.asList(functions.split(" ")));
        this.pairs = pairs;
    }

    /** (C name, Java name) pairs, in order. */
    Map<String, String> pairs() {
        Map<String, String> m = new LinkedHashMap<String, String>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    /** The Java name of C parameter {@code c} (itself when {@code names} has none). */
    static String map(ParamNames names, String c) {
        if (names != null) {
            for (int i = 0; i + 1 < names.pairs.length; i += 2) {
                if (names.pairs[i].equals(c)) {
                    return names.pairs[i + 1];
                }
            }
        }
        return c;
    }

    /** Every map below, by field name (for the tests). */
    static Map<String, ParamNames> all() {
        Map<String, ParamNames> all = new LinkedHashMap<String, ParamNames>();
        for (Field f : ParamNames.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == ParamNames.class) {
                try {
                    all.put(f.getName(), (ParamNames) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return all;
    }

    // ---- the maps (C name, Java name) ----

    // Settings a client constructor reads from its config: a bad one is the config's fault.
    private static final String CONFIG_SETTINGS =
            " tb_config_set_extra_ca_file tb_config_set_proxy tb_config_set_token_store";

    static final ParamNames UCONTACT_NEW = new ParamNames("tb_ucontact_client_new" + CONFIG_SETTINGS,
            "cfg", "config", "extra_ca_file", "config", "proxy", "config", "token_store", "config");
    static final ParamNames YATIVO_NEW = new ParamNames("tb_yativo_client_new" + CONFIG_SETTINGS,
            "cfg", "config", "base_url", "baseUrl", "account_id", "accountId", "app_secret", "appSecret",
            "extra_ca_file", "config", "proxy", "config", "token_store", "config");
    static final ParamNames ANNA_NEW = new ParamNames("tb_anna_client_new" + CONFIG_SETTINGS,
            "cfg", "config", "base_url", "baseUrl", "company_hash", "companyHash",
            "extra_ca_file", "config", "proxy", "config", "token_store", "config");

    static final ParamNames TIMEOUT_CONNECT = new ParamNames("tb_config_set_timeout_connect_ms",
            "timeout_connect_ms", "timeoutConnect");
    static final ParamNames TIMEOUT_SEND = new ParamNames("tb_config_set_timeout_send_ms",
            "timeout_send_ms", "timeoutSend");
    static final ParamNames TIMEOUT_RECEIVE = new ParamNames("tb_config_set_timeout_receive_ms",
            "timeout_receive_ms", "timeoutReceive");
    static final ParamNames USER_AGENT = new ParamNames("tb_config_set_user_agent", "user_agent", "userAgent");
    static final ParamNames MAX_RESPONSE_BYTES = new ParamNames("tb_config_set_max_response_bytes",
            "max_response_bytes", "bytes");
    static final ParamNames RETRIES = new ParamNames("tb_config_set_retries",
            "max_retries", "maxRetries", "base_delay_ms", "baseDelayMs", "max_delay_ms", "maxDelayMs");
    static final ParamNames REFRESH_AHEAD = new ParamNames("tb_config_set_refresh_ahead_ms",
            "refresh_ahead_ms", "refreshAhead");
    static final ParamNames DNS_CACHE_TTL = new ParamNames("tb_config_set_dns_cache_ttl_ms",
            "dns_cache_ttl_ms", "dnsCacheTtl");

    static final ParamNames DEADLINE = new ParamNames("tb_call_options_set_deadline_ms", "deadline_ms", "timeout");
    static final ParamNames LOG_CALLBACK = new ParamNames("tb_set_log_callback", "max_level", "maxLevel");

    static final ParamNames SET_TOKEN = new ParamNames("tb_yativo_set_token tb_anna_set_token",
            "expires_at", "expiresAt");
    static final ParamNames USER_HASH = new ParamNames("tb_anna_user_hash",
            "user_id", "userId", "start_service", "startService");
    static final ParamNames USER_HASH_FORCED = new ParamNames("tb_anna_user_hash_forced",
            "user_id", "userId", "user_name", "userName", "start_service", "startService");
    static final ParamNames INACTIVATE_USER = new ParamNames("tb_anna_inactivate_user", "user_id", "userId");
    static final ParamNames MESSENGER_USER = new ParamNames(
            "tb_anna_messenger_alert_counter tb_anna_messenger_requests tb_anna_messenger_link",
            "user_id", "userId", "doc_type", "docType", "doc_value", "docValue");

    // The steps of a Request (tb_request_add_query, ..., set_body, set_idempotency_key).
    static final ParamNames REQUEST_STEPS = new ParamNames("tb_request_set_body tb_request_set_idempotency_key",
            "content_type", "contentType", "idempotency_key", "idempotencyKey");

    // A webhook's parts; a bad secret list is the caller's `secrets`.
    static final ParamNames WEBHOOK_VERIFY = new ParamNames("tb_yativo_webhook_verify",
            "header_name", "headerName", "header_value", "headerValue", "secret_count", "secrets", "body_len", "body");

    // A filter's setters: a part of a date names the setter, and so does the order of the two days.
    static final ParamNames FILTER_DEPARTMENT = new ParamNames("tb_messenger_filter_set_department_alias",
            "alias", "departmentAlias");
    static final ParamNames FILTER_CHANNEL = new ParamNames("tb_messenger_filter_set_channel_alias",
            "alias", "channelAlias");
    static final ParamNames FILTER_DATE_FROM = new ParamNames(
            "tb_messenger_filter_set_date_from tb_messenger_filter_set_date_to",
            "year", "dateFrom", "month", "dateFrom", "day", "dateFrom", "date_from", "dateFrom", "date_to", "dateTo");
    static final ParamNames FILTER_DATE_TO = new ParamNames(
            "tb_messenger_filter_set_date_to tb_messenger_filter_set_date_from",
            "year", "dateTo", "month", "dateTo", "day", "dateTo", "date_to", "dateTo", "date_from", "dateFrom");
}
