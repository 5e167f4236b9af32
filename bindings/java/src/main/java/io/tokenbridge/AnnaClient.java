package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

import java.time.Instant;

/**
 * An AnnA Corporate (User V3) client ({@code tb_anna_client}): one connection pool,
 * one company login, one cached token. Safe to use from many threads at once;
 * creating it sends nothing. Failures throw {@link TokenBridgeException}; an unknown
 * or inactive user is {@link Status#REJECTED} with AnnA's message.
 */
public final class AnnaClient extends NativeHandle {

    /**
     * @param config      settings, or {@code null} for the defaults
     * @param baseUrl     the AnnA server's base URL
     * @param companyHash the company hash
     * @param user        the integration user
     * @param pass        its password
     */
    public AnnaClient(Config config, final String baseUrl, final String companyHash, final String user,
            final String pass) {
        super(Config.withOptional(config, cfg -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_client_new(cfg, Ffi.cstr("base_url", baseUrl),
                    Ffi.cstr("company_hash", companyHash), Ffi.cstr("user", user), Ffi.cstr("pass", pass), out));
            return out.getValue();
        }));
    }

    @Override
    void free(Pointer handle) {
        Ffi.LIB.tb_anna_client_free(handle);
    }

    /** A1: gets a new token ({@code GetToken}), also cached. */
    public Token getToken() {
        return with(c -> {
            PointerByReference out = new PointerByReference();
            LongByReference expires = new LongByReference();
            Ffi.check(Ffi.LIB.tb_anna_get_token(c, out, expires));
            return new Token(Ffi.takeString(out), Ffi.instant(expires.getValue()));
        });
    }

    /** A2: the user's chat access ({@code UserHash}); {@code startService} may be {@code null}. */
    public AccessData userHash(final String userId, final String startService) {
        String json = with(c -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_user_hash(c, Ffi.cstr("user_id", userId),
                    Ffi.cstr("start_service", startService), out));
            return Ffi.takeString(out);
        });
        return new AccessData(Ffi.parseObject(json, "UserHash"));
    }

    /**
     * A3: the user's chat access, creating or re-activating the user
     * ({@code UserHashForced}); {@code startService} may be {@code null}.
     */
    public AccessData userHashForced(final String userId, final String userName, final String startService) {
        String json = with(c -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_user_hash_forced(c, Ffi.cstr("user_id", userId),
                    Ffi.cstr("user_name", userName), Ffi.cstr("start_service", startService), out));
            return Ffi.takeString(out);
        });
        return new AccessData(Ffi.parseObject(json, "UserHashForced"));
    }

    /** A4: inactivates the user; returns AnnA's message ({@code null} when it sent none). */
    public String inactivateUser(final String userId) {
        return with(c -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_inactivate_user(c, Ffi.cstr("user_id", userId), out));
            return Ffi.takeString(out);
        });
    }

    /** A5: the company's departments and channels. */
    public MessengerStructure messengerStructure() {
        String json = with(c -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_messenger_structure(c, out));
            return Ffi.takeString(out);
        });
        return new MessengerStructure(Ffi.parseObject(json, "MessengerStructure"));
    }

    /** A6: how many of the user's requests match {@code filter} ({@code null}: all). */
    public long messengerAlertCounter(final AnnaUser user, final MessengerFilter filter) {
        return with(c -> {
            LongByReference out = new LongByReference();
            Ffi.check(Ffi.LIB.tb_anna_messenger_alert_counter(c, Ffi.cstr("user_id", user.userId),
                    Ffi.cstr("doc_type", user.docType), Ffi.cstr("doc_value", user.docValue),
                    Ffi.cstr("filter_json", filter == null ? null : filter.toJson()), out));
            return out.getValue();
        });
    }

    /** A7: the user's requests matching {@code filter} ({@code null}: all). */
    public MessengerRequests messengerRequests(final AnnaUser user, final MessengerFilter filter) {
        String json = with(c -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_messenger_requests(c, Ffi.cstr("user_id", user.userId),
                    Ffi.cstr("doc_type", user.docType), Ffi.cstr("doc_value", user.docValue),
                    Ffi.cstr("filter_json", filter == null ? null : filter.toJson()), out));
            return Ffi.takeString(out);
        });
        return new MessengerRequests(Ffi.parseObject(json, "MessengerRequests"));
    }

    /** A8: the link to the user's messenger. */
    public String messengerLink(final AnnaUser user) {
        return with(c -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_messenger_link(c, Ffi.cstr("user_id", user.userId),
                    Ffi.cstr("doc_type", user.docType), Ffi.cstr("doc_value", user.docValue), out));
            return Ffi.takeString(out);
        });
    }

    /** A valid token: the cached one, or a new one ahead of expiry. */
    public String token() {
        return with(c -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_token(c, out));
            return Ffi.takeString(out);
        });
    }

    /** Uses a token obtained elsewhere; it expires at its JWT {@code exp}, else when the server says 401. */
    public void setToken(String token) {
        setToken(token, null);
    }

    /** Uses a token obtained elsewhere that expires at {@code expiresAt} ({@code null}: as {@link #setToken(String)}). */
    public void setToken(final String token, final Instant expiresAt) {
        with(c -> {
            Ffi.check(Ffi.LIB.tb_anna_set_token(c, Ffi.cstr("token", token), Ffi.unixSeconds(expiresAt)));
            return null;
        });
    }

    /**
     * Calls any other AnnA resource with {@code Authorization: Bearer {token}},
     * getting a token as needed and once more after a 401.
     *
     * @param method e.g. {@code "POST"}
     * @param path   relative to the base URL, e.g. {@code "REST/AnnACorporate/Ping"}
     * @param body   the body, {@code null} for none
     */
    public RawResponse call(final String method, final String path, final Body body) {
        return with(c -> Ffi.call(c, Ffi.LIB::tb_anna_call, method, path, body));
    }
}
