package io.tokenbridge;

/**
 * A messenger request's status ({@code tb_messenger_status}): in a
 * {@link MessengerFilter}, which requests to count or list ({@code null} = any); in a
 * {@link MessengerRequest}, what the server said.
 */
public enum MessengerStatus {
    /** Open ({@code A} on the wire; {@code TB_MESSENGER_STATUS_OPEN}). */
    OPEN(1),
    /** Closed ({@code E} on the wire; {@code TB_MESSENGER_STATUS_CLOSED}). */
    CLOSED(2);

    final int code;

    MessengerStatus(int code) {
        this.code = code;
    }

    /** The status with this C value; {@code null} for {@code TB_MESSENGER_STATUS_NONE} or an unknown value. */
    static MessengerStatus fromCode(int code) {
        for (MessengerStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}
