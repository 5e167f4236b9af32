package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The answer to a {@link Request}: the HTTP status, the headers (names lower-cased, in
 * the order they came) and the body bytes, all copied out of the library's
 * {@code tb_response} before it was freed. Immutable. {@link #toString()} shows no
 * header value and no body (they may hold tokens).
 */
public final class Response {
    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;

    private Response(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /** Copies everything out of {@code response} (lent memory, never freed on its own), then frees it. */
    static Response take(Pointer response) {
        TokenBridgeLibrary lib = Ffi.LIB;
        try {
            int status = lib.tb_response_status(response) & 0xFFFF;
            PointerByReference bytes = new PointerByReference();
            TokenBridgeLibrary.SizeTByReference len = new TokenBridgeLibrary.SizeTByReference();
            Ffi.check(lib.tb_response_body(response, bytes, len));
            byte[] body = Ffi.bytes(bytes.getValue(), len.getValue());
            long count = lib.tb_response_header_count(response).longValue();
            List<Map.Entry<String, String>> headers = new ArrayList<Map.Entry<String, String>>();
            for (long i = 0; i < count; i++) {
                PointerByReference name = new PointerByReference();
                PointerByReference value = new PointerByReference();
                TokenBridgeLibrary.SizeTByReference nameLen = new TokenBridgeLibrary.SizeTByReference();
                TokenBridgeLibrary.SizeTByReference valueLen = new TokenBridgeLibrary.SizeTByReference();
                Ffi.check(lib.tb_response_header_at(response, new TokenBridgeLibrary.SizeT(i), name, nameLen,
                        value, valueLen));
                headers.add(new AbstractMap.SimpleImmutableEntry<String, String>(Ffi.lent(name, nameLen),
                        Ffi.lent(value, valueLen)));
            }
            return new Response(status, Collections.unmodifiableList(headers), body);
        } finally {
            lib.tb_response_free(response);
        }
    }

    /** The HTTP status. */
    public int getStatus() {
        return status;
    }

    /** Every header as (lower-case name, value), in the order they came; a repeated name repeats. */
    public List<Map.Entry<String, String>> getHeaders() {
        return headers;
    }

    /** The first value of header {@code name} (ASCII case ignored), or {@code null} when absent. */
    public String getHeader(String name) {
        Ffi.notNull("name", name);
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    /** A copy of the body bytes, as they came (empty when there was none). */
    public byte[] getBody() {
        return body.clone();
    }

    /**
     * The body as UTF-8 text; a body that is not valid UTF-8 is
     * {@link Status#UNEXPECTED_RESPONSE} rather than silently replaced characters.
     */
    public String getText() {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new TokenBridgeException(Status.UNEXPECTED_RESPONSE.code(), "the body is not valid UTF-8", 0, null);
        }
    }

    @Override
    public String toString() {
        return "Response[" + status + ", " + headers.size() + " headers, " + body.length + " bytes]";
    }
}
