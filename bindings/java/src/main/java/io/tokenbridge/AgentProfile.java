package io.tokenbridge;

import java.util.Map;

/**
 * An agent's SIP profile, as {@link UContactClient#agentLogin()} returns it: the
 * object the server sent, minus the SIP {@code secret} and {@code md5secret}. Every
 * published field has a getter ({@code null} when absent); {@link #getRaw()} has them
 * all, unknown ones included. {@link #toString()} does not show the token.
 */
public final class AgentProfile {
    private final Map<String, Object> raw;

    AgentProfile(Map<String, Object> raw) {
        this.raw = raw;
    }

    /** {@code id}. */
    public Long getId() {
        return Json.integer(raw, "id");
    }

    /** {@code token}: the session token (a credential: do not log it). */
    public String getToken() {
        return Json.text(raw, "token");
    }

    /** {@code type}. */
    public String getType() {
        return Json.text(raw, "type");
    }

    /** {@code LogLevel}. */
    public String getLogLevel() {
        return Json.text(raw, "LogLevel");
    }

    /** {@code limite}. */
    public Long getLimite() {
        return Json.integer(raw, "limite");
    }

    /** {@code name}. */
    public String getName() {
        return Json.text(raw, "name");
    }

    /** {@code host}. */
    public String getHost() {
        return Json.text(raw, "host");
    }

    /** {@code nat}. */
    public String getNat() {
        return Json.text(raw, "nat");
    }

    /** {@code accountcode}. */
    public String getAccountcode() {
        return Json.text(raw, "accountcode");
    }

    /** {@code callgroup}. */
    public String getCallgroup() {
        return Json.text(raw, "callgroup");
    }

    /** {@code callerid}. */
    public String getCallerid() {
        return Json.text(raw, "callerid");
    }

    /** {@code canreinvite}. */
    public String getCanreinvite() {
        return Json.text(raw, "canreinvite");
    }

    /** {@code context}. */
    public String getContext() {
        return Json.text(raw, "context");
    }

    /** {@code dtmfmode}. */
    public String getDtmfmode() {
        return Json.text(raw, "dtmfmode");
    }

    /** {@code insecure}. */
    public String getInsecure() {
        return Json.text(raw, "insecure");
    }

    /** {@code language}. */
    public String getLanguage() {
        return Json.text(raw, "language");
    }

    /** {@code mailbox}. */
    public String getMailbox() {
        return Json.text(raw, "mailbox");
    }

    /** {@code pickupgroup}. */
    public String getPickupgroup() {
        return Json.text(raw, "pickupgroup");
    }

    /** {@code qualify}. */
    public String getQualify() {
        return Json.text(raw, "qualify");
    }

    /** {@code disallow}. */
    public String getDisallow() {
        return Json.text(raw, "disallow");
    }

    /** {@code allow}. */
    public String getAllow() {
        return Json.text(raw, "allow");
    }

    /** {@code port}. */
    public String getPort() {
        return Json.text(raw, "port");
    }

    /** {@code defaultuser}. */
    public String getDefaultuser() {
        return Json.text(raw, "defaultuser");
    }

    /** {@code subscribecontext}. */
    public String getSubscribecontext() {
        return Json.text(raw, "subscribecontext");
    }

    /** {@code record}. */
    public String getRecord() {
        return Json.text(raw, "record");
    }

    /** {@code email}. */
    public String getEmail() {
        return Json.text(raw, "email");
    }

    /** {@code phonetype}. */
    public String getPhonetype() {
        return Json.text(raw, "phonetype");
    }

    /** {@code transport}. */
    public String getTransport() {
        return Json.text(raw, "transport");
    }

    /** {@code encryption}. */
    public String getEncryption() {
        return Json.text(raw, "encryption");
    }

    /** {@code did}. */
    public String getDid() {
        return Json.text(raw, "did");
    }

    /** {@code outboundproxy}. */
    public String getOutboundproxy() {
        return Json.text(raw, "outboundproxy");
    }

    /** {@code fullname}. */
    public String getFullname() {
        return Json.text(raw, "fullname");
    }

    /** Any field as text ({@code null} when absent, an object or an array). */
    public String getText(String key) {
        return Json.text(raw, key);
    }

    /** The profile as the server sent it, without the SIP secrets (see {@link Json#parse} for the types). */
    public Map<String, Object> getRaw() {
        return raw;
    }

    @Override
    public String toString() {
        return "AgentProfile[id=" + getId() + ", name=" + getName() + ", fullname=" + getFullname() + "]";
    }
}
