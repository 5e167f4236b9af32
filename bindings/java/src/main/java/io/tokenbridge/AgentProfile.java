package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An agent's SIP profile, as {@link UContactClient#agentLogin()} returns it: every field
 * the server sent except the SIP {@code secret} and {@code md5secret} (which the library
 * never hands out), copied out of the library's {@code tb_agent_profile} through its
 * accessors. Each published field has a getter and a {@link Field} ({@code null} when
 * absent; numbers and booleans as their JSON text); {@link #get(String)} reaches any
 * field by its wire name, {@link #getFields()} all of them.
 * Immutable. {@link #toString()} does not show the token.
 */
public final class AgentProfile {

    /**
     * The published fields, by wire name. Each is read through its own getter,
     * {@code tb_agent_profile_<wire name in lower case>}; {@link #ID} and {@link #LIMITE}
     * (numbers) as text through {@code tb_agent_profile_get}. The ordinals are the
     * binding's own and mean nothing to the library.
     */
    public enum Field {
        /** {@code id} (a number, as decimal text; see {@link AgentProfile#getId()}). */
        ID("id", (lib, p, out, len) -> lib.tb_agent_profile_get(p, Ffi.cstr("name", "id"), out, len)),
        /** {@code name}. */
        NAME("name", TokenBridgeLibrary::tb_agent_profile_name),
        /** {@code host}. */
        HOST("host", TokenBridgeLibrary::tb_agent_profile_host),
        /** {@code nat}. */
        NAT("nat", TokenBridgeLibrary::tb_agent_profile_nat),
        /** {@code type}. */
        TYPE("type", TokenBridgeLibrary::tb_agent_profile_type),
        /** {@code accountcode}. */
        ACCOUNTCODE("accountcode", TokenBridgeLibrary::tb_agent_profile_accountcode),
        /** {@code callgroup}. */
        CALLGROUP("callgroup", TokenBridgeLibrary::tb_agent_profile_callgroup),
        /** {@code callerid}. */
        CALLERID("callerid", TokenBridgeLibrary::tb_agent_profile_callerid),
        /** {@code canreinvite}. */
        CANREINVITE("canreinvite", TokenBridgeLibrary::tb_agent_profile_canreinvite),
        /** {@code context}. */
        CONTEXT("context", TokenBridgeLibrary::tb_agent_profile_context),
        /** {@code dtmfmode}. */
        DTMFMODE("dtmfmode", TokenBridgeLibrary::tb_agent_profile_dtmfmode),
        /** {@code insecure}. */
        INSECURE("insecure", TokenBridgeLibrary::tb_agent_profile_insecure),
        /** {@code language}. */
        LANGUAGE("language", TokenBridgeLibrary::tb_agent_profile_language),
        /** {@code mailbox}. */
        MAILBOX("mailbox", TokenBridgeLibrary::tb_agent_profile_mailbox),
        /** {@code pickupgroup}. */
        PICKUPGROUP("pickupgroup", TokenBridgeLibrary::tb_agent_profile_pickupgroup),
        /** {@code qualify}. */
        QUALIFY("qualify", TokenBridgeLibrary::tb_agent_profile_qualify),
        /** {@code disallow}. */
        DISALLOW("disallow", TokenBridgeLibrary::tb_agent_profile_disallow),
        /** {@code allow}. */
        ALLOW("allow", TokenBridgeLibrary::tb_agent_profile_allow),
        /** {@code port}. */
        PORT("port", TokenBridgeLibrary::tb_agent_profile_port),
        /** {@code defaultuser}. */
        DEFAULTUSER("defaultuser", TokenBridgeLibrary::tb_agent_profile_defaultuser),
        /** {@code subscribecontext}. */
        SUBSCRIBECONTEXT("subscribecontext", TokenBridgeLibrary::tb_agent_profile_subscribecontext),
        /** {@code record}. */
        RECORD("record", TokenBridgeLibrary::tb_agent_profile_record),
        /** {@code email}. */
        EMAIL("email", TokenBridgeLibrary::tb_agent_profile_email),
        /** {@code phonetype}. */
        PHONETYPE("phonetype", TokenBridgeLibrary::tb_agent_profile_phonetype),
        /** {@code transport}. */
        TRANSPORT("transport", TokenBridgeLibrary::tb_agent_profile_transport),
        /** {@code encryption}. */
        ENCRYPTION("encryption", TokenBridgeLibrary::tb_agent_profile_encryption),
        /** {@code did}. */
        DID("did", TokenBridgeLibrary::tb_agent_profile_did),
        /** {@code outboundproxy}. */
        OUTBOUNDPROXY("outboundproxy", TokenBridgeLibrary::tb_agent_profile_outboundproxy),
        /** {@code fullname}. */
        FULLNAME("fullname", TokenBridgeLibrary::tb_agent_profile_fullname),
        /** {@code LogLevel}. */
        LOGLEVEL("LogLevel", TokenBridgeLibrary::tb_agent_profile_loglevel),
        /** {@code limite} (a number, as decimal text; see {@link AgentProfile#getLimite()}). */
        LIMITE("limite", (lib, p, out, len) -> lib.tb_agent_profile_get(p, Ffi.cstr("name", "limite"), out, len)),
        /** {@code token}: the session token (a credential: do not log it). */
        TOKEN("token", TokenBridgeLibrary::tb_agent_profile_token);

        private final String wireName;
        final Getter getter;

        Field(String wireName, Getter getter) {
            this.wireName = wireName;
            this.getter = getter;
        }

        /** The field's name on the wire, e.g. {@code "LogLevel"}. */
        public String wireName() {
            return wireName;
        }
    }

    /** A text getter of the profile: {@code (profile, const char **out, size_t *out_len)}. */
    interface Getter {
        int get(TokenBridgeLibrary lib, Pointer profile, PointerByReference out, TokenBridgeLibrary.SizeTByReference outLen);
    }

    private final Map<Field, String> published;
    private final Map<String, String> fields;
    private final Long id;
    private final Long limite;
    private final String rawJson;

    private AgentProfile(Map<Field, String> published, Map<String, String> fields, Long id, Long limite,
            String rawJson) {
        this.published = published;
        this.fields = fields;
        this.id = id;
        this.limite = limite;
        this.rawJson = rawJson;
    }

    /** Copies everything out of {@code profile} (lent strings), then frees it. */
    static AgentProfile take(final Pointer profile) {
        final TokenBridgeLibrary lib = Ffi.LIB;
        try {
            Map<Field, String> published = new EnumMap<Field, String>(Field.class);
            for (final Field f : Field.values()) {
                String v = Ffi.lent((out, len) -> f.getter.get(lib, profile, out, len));
                if (v != null) {
                    published.put(f, v);
                }
            }
            Map<String, String> fields = new LinkedHashMap<String, String>();
            long n = lib.tb_agent_profile_field_count(profile).longValue();
            for (long i = 0; i < n; i++) {
                PointerByReference name = new PointerByReference();
                PointerByReference value = new PointerByReference();
                TokenBridgeLibrary.SizeTByReference nameLen = new TokenBridgeLibrary.SizeTByReference();
                TokenBridgeLibrary.SizeTByReference valueLen = new TokenBridgeLibrary.SizeTByReference();
                Ffi.check(lib.tb_agent_profile_field_at(profile, Ffi.size(i), name, nameLen, value, valueLen));
                fields.put(Ffi.lent(name, nameLen), Ffi.lent(value, valueLen));
            }
            LongByReference number = new LongByReference();
            Long id = Ffi.present(lib.tb_agent_profile_id(profile, number)) ? Long.valueOf(number.getValue()) : null;
            Long limite = Ffi.present(lib.tb_agent_profile_limite(profile, number)) ? Long.valueOf(number.getValue()) : null;
            String raw = Ffi.lent((out, len) -> lib.tb_agent_profile_raw_json(profile, out, len));
            return new AgentProfile(Collections.unmodifiableMap(published), Collections.unmodifiableMap(fields), id,
                    limite, raw);
        } finally {
            lib.tb_agent_profile_free(profile);
        }
    }

    /** A published field as text, {@code null} when the server did not send it. */
    public String get(Field field) {
        return published.get(Ffi.notNull("field", field));
    }

    /**
     * Any field by its wire name (exact case), unpublished ones too, as text (numbers,
     * booleans, objects and arrays as their JSON text); {@code null} when absent, and
     * always for {@code secret} and {@code md5secret}.
     */
    public String get(String name) {
        return fields.get(Ffi.notNull("name", name));
    }

    /**
     * Every field (wire name to text), without the SIP secrets, in the order
     * {@code tb_agent_profile_field_at} gives them (library 0.2.0: sorted by name, not
     * the server's order).
     */
    public Map<String, String> getFields() {
        return fields;
    }

    /** {@code id} as a number, {@code null} when the server sent none. */
    public Long getId() {
        return id;
    }

    /** {@code limite} as a number, {@code null} when the server sent none. */
    public Long getLimite() {
        return limite;
    }

    /** {@code token}: the session token (a credential: do not log it). */
    public String getToken() {
        return get(Field.TOKEN);
    }

    /** {@code name}, or {@code null} when the server did not send it. */
    public String getName() {
        return get(Field.NAME);
    }

    /** {@code host}, or {@code null} when the server did not send it. */
    public String getHost() {
        return get(Field.HOST);
    }

    /** {@code nat}, or {@code null} when the server did not send it. */
    public String getNat() {
        return get(Field.NAT);
    }

    /** {@code type}, or {@code null} when the server did not send it. */
    public String getType() {
        return get(Field.TYPE);
    }

    /** {@code accountcode}, or {@code null} when the server did not send it. */
    public String getAccountcode() {
        return get(Field.ACCOUNTCODE);
    }

    /** {@code callgroup}, or {@code null} when the server did not send it. */
    public String getCallgroup() {
        return get(Field.CALLGROUP);
    }

    /** {@code callerid}, or {@code null} when the server did not send it. */
    public String getCallerid() {
        return get(Field.CALLERID);
    }

    /** {@code canreinvite}, or {@code null} when the server did not send it. */
    public String getCanreinvite() {
        return get(Field.CANREINVITE);
    }

    /** {@code context}, or {@code null} when the server did not send it. */
    public String getContext() {
        return get(Field.CONTEXT);
    }

    /** {@code dtmfmode}, or {@code null} when the server did not send it. */
    public String getDtmfmode() {
        return get(Field.DTMFMODE);
    }

    /** {@code insecure}, or {@code null} when the server did not send it. */
    public String getInsecure() {
        return get(Field.INSECURE);
    }

    /** {@code language}, or {@code null} when the server did not send it. */
    public String getLanguage() {
        return get(Field.LANGUAGE);
    }

    /** {@code mailbox}, or {@code null} when the server did not send it. */
    public String getMailbox() {
        return get(Field.MAILBOX);
    }

    /** {@code pickupgroup}, or {@code null} when the server did not send it. */
    public String getPickupgroup() {
        return get(Field.PICKUPGROUP);
    }

    /** {@code qualify}, or {@code null} when the server did not send it. */
    public String getQualify() {
        return get(Field.QUALIFY);
    }

    /** {@code disallow}, or {@code null} when the server did not send it. */
    public String getDisallow() {
        return get(Field.DISALLOW);
    }

    /** {@code allow}, or {@code null} when the server did not send it. */
    public String getAllow() {
        return get(Field.ALLOW);
    }

    /** {@code port}, or {@code null} when the server did not send it. */
    public String getPort() {
        return get(Field.PORT);
    }

    /** {@code defaultuser}, or {@code null} when the server did not send it. */
    public String getDefaultuser() {
        return get(Field.DEFAULTUSER);
    }

    /** {@code subscribecontext}, or {@code null} when the server did not send it. */
    public String getSubscribecontext() {
        return get(Field.SUBSCRIBECONTEXT);
    }

    /** {@code record}, or {@code null} when the server did not send it. */
    public String getRecord() {
        return get(Field.RECORD);
    }

    /** {@code email}, or {@code null} when the server did not send it. */
    public String getEmail() {
        return get(Field.EMAIL);
    }

    /** {@code phonetype}, or {@code null} when the server did not send it. */
    public String getPhonetype() {
        return get(Field.PHONETYPE);
    }

    /** {@code transport}, or {@code null} when the server did not send it. */
    public String getTransport() {
        return get(Field.TRANSPORT);
    }

    /** {@code encryption}, or {@code null} when the server did not send it. */
    public String getEncryption() {
        return get(Field.ENCRYPTION);
    }

    /** {@code did}, or {@code null} when the server did not send it. */
    public String getDid() {
        return get(Field.DID);
    }

    /** {@code outboundproxy}, or {@code null} when the server did not send it. */
    public String getOutboundproxy() {
        return get(Field.OUTBOUNDPROXY);
    }

    /** {@code fullname}, or {@code null} when the server did not send it. */
    public String getFullname() {
        return get(Field.FULLNAME);
    }

    /** {@code LogLevel}, or {@code null} when the server did not send it. */
    public String getLogLevel() {
        return get(Field.LOGLEVEL);
    }

    /**
     * The escape hatch: the profile as the server sent it, as JSON text without the SIP
     * secrets (it holds the token); this binding does not parse it.
     */
    public String rawJson() {
        return rawJson;
    }

    @Override
    public String toString() {
        return "AgentProfile[id=" + id + ", name=" + getName() + ", fullname=" + getFullname() + "]";
    }
}
