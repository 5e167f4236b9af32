package io.tokenbridge;

/** Which user a messenger call is about: by id, or by a unique document. */
public final class AnnaUser {
    final String userId;
    final String docType;
    final String docValue;

    private AnnaUser(String userId, String docType, String docValue) {
        this.userId = userId;
        this.docType = docType;
        this.docValue = docValue;
    }

    /** The user with this id ({@code null} is a {@link NullPointerException} naming {@code userId}). */
    public static AnnaUser byId(String userId) {
        return new AnnaUser(Ffi.notNull("userId", userId), null, null);
    }

    /**
     * The user holding this document, e.g. {@code byDocument("CPF", "12345678900")}
     * ({@code null} is a {@link NullPointerException} naming {@code docType} or {@code docValue}).
     */
    public static AnnaUser byDocument(String docType, String docValue) {
        return new AnnaUser(null, Ffi.notNull("docType", docType), Ffi.notNull("docValue", docValue));
    }

    @Override
    public String toString() {
        return userId != null ? "AnnaUser[id=" + userId + "]" : "AnnaUser[" + docType + "=" + docValue + "]";
    }
}
