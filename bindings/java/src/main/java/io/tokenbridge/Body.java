package io.tokenbridge;

import java.util.LinkedHashMap;
import java.util.Map;

/** The body of a generic call ({@code tb_body_kind} plus its text). */
public final class Body {
    final int kind;
    final String text;

    private Body(int kind, String text) {
        this.kind = kind;
        this.text = text;
    }

    private static final Body NONE = new Body(0, null);

    /** No body ({@code TB_BODY_NONE}). */
    public static Body none() {
        return NONE;
    }

    /** Form fields, sent as {@code application/x-www-form-urlencoded} ({@code TB_BODY_FORM}). */
    public static Body form(Map<String, String> fields) {
        return new Body(1, Json.write(new LinkedHashMap<String, String>(fields)));
    }

    /** JSON text, sent as is ({@code TB_BODY_JSON}). */
    public static Body json(String json) {
        if (json == null) {
            throw new NullPointerException("json must not be null");
        }
        return new Body(2, json);
    }
}
