package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The company's messenger structure ({@link AnnaClient#messengerStructure()}): its
 * departments and their channels, copied out of the library's
 * {@code tb_messenger_structure} through its accessors. Immutable.
 * {@link #toString()} does not show the company hash.
 */
public final class MessengerStructure {

    /** A channel of a department. */
    public static final class Channel {
        private final String alias;
        private final String name;

        Channel(String alias, String name) {
            this.alias = alias;
            this.name = name;
        }

        /** The alias used in filters ({@link MessengerFilter#channelAlias}), {@code null} when not sent. */
        public String getAlias() {
            return alias;
        }

        /** The display name, {@code null} when not sent. */
        public String getName() {
            return name;
        }

        @Override
        public String toString() {
            return alias + " (" + name + ")";
        }
    }

    /** A department and its channels. */
    public static final class Department {
        private final String alias;
        private final String name;
        private final List<Channel> channels;

        Department(String alias, String name, List<Channel> channels) {
            this.alias = alias;
            this.name = name;
            this.channels = channels;
        }

        /** The alias used in filters ({@link MessengerFilter#departmentAlias}), {@code null} when not sent. */
        public String getAlias() {
            return alias;
        }

        /** The display name, {@code null} when not sent. */
        public String getName() {
            return name;
        }

        /** Its channels, in the server's order. */
        public List<Channel> getChannels() {
            return channels;
        }

        @Override
        public String toString() {
            return alias + " (" + name + ") " + channels;
        }
    }

    private final String companiesHash;
    private final String companiesName;
    private final List<Department> departments;
    private final String rawJson;

    private MessengerStructure(String companiesHash, String companiesName, List<Department> departments,
            String rawJson) {
        this.companiesHash = companiesHash;
        this.companiesName = companiesName;
        this.departments = departments;
        this.rawJson = rawJson;
    }

    /** Copies everything out of {@code s} (lent strings), then frees it. */
    static MessengerStructure take(final Pointer s) {
        final TokenBridgeLibrary lib = Ffi.LIB;
        try {
            List<Department> departments = new ArrayList<Department>();
            long n = lib.tb_messenger_structure_department_count(s).longValue();
            for (long d = 0; d < n; d++) {
                PointerByReference alias = new PointerByReference();
                PointerByReference name = new PointerByReference();
                TokenBridgeLibrary.SizeTByReference aliasLen = new TokenBridgeLibrary.SizeTByReference();
                TokenBridgeLibrary.SizeTByReference nameLen = new TokenBridgeLibrary.SizeTByReference();
                Ffi.check(lib.tb_messenger_structure_department(s, Ffi.size(d), alias, aliasLen, name, nameLen));
                List<Channel> channels = new ArrayList<Channel>();
                long m = lib.tb_messenger_structure_channel_count(s, Ffi.size(d)).longValue();
                for (long c = 0; c < m; c++) {
                    PointerByReference chAlias = new PointerByReference();
                    PointerByReference chName = new PointerByReference();
                    TokenBridgeLibrary.SizeTByReference chAliasLen = new TokenBridgeLibrary.SizeTByReference();
                    TokenBridgeLibrary.SizeTByReference chNameLen = new TokenBridgeLibrary.SizeTByReference();
                    Ffi.check(lib.tb_messenger_structure_channel(s, Ffi.size(d), Ffi.size(c), chAlias, chAliasLen,
                            chName, chNameLen));
                    channels.add(new Channel(Ffi.lent(chAlias, chAliasLen), Ffi.lent(chName, chNameLen)));
                }
                departments.add(new Department(Ffi.lent(alias, aliasLen), Ffi.lent(name, nameLen),
                        Collections.unmodifiableList(channels)));
            }
            return new MessengerStructure(
                    Ffi.lent((out, len) -> lib.tb_messenger_structure_companies_hash(s, out, len)),
                    Ffi.lent((out, len) -> lib.tb_messenger_structure_companies_name(s, out, len)),
                    Collections.unmodifiableList(departments),
                    Ffi.lent((out, len) -> lib.tb_messenger_structure_raw_json(s, out, len)));
        } finally {
            lib.tb_messenger_structure_free(s);
        }
    }

    /** {@code CompaniesHash}: the company hash (a credential: do not log it), {@code null} when not sent. */
    public String getCompaniesHash() {
        return companiesHash;
    }

    /** {@code CompaniesName}, {@code null} when not sent. */
    public String getCompaniesName() {
        return companiesName;
    }

    /** The departments, in the server's order. */
    public List<Department> getDepartments() {
        return departments;
    }

    /**
     * The escape hatch: the {@code structure} object as the server sent it, as JSON text
     * (it holds the company hash); this binding does not parse it.
     */
    public String rawJson() {
        return rawJson;
    }

    @Override
    public String toString() {
        return "MessengerStructure[" + companiesName + ", " + departments + "]";
    }
}
