package io.tokenbridge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** The company's messenger structure: its departments and their channels. */
public final class MessengerStructure {

    /** A channel of a department. */
    public static final class Channel {
        private final String alias;
        private final String name;

        Channel(Map<String, Object> m) {
            this.alias = Json.textOrEmpty(m, "alias");
            this.name = Json.textOrEmpty(m, "name");
        }

        /** The alias used in filters. */
        public String getAlias() {
            return alias;
        }

        /** The display name. */
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

        Department(Map<String, Object> m) {
            this.alias = Json.textOrEmpty(m, "alias");
            this.name = Json.textOrEmpty(m, "name");
            List<Channel> cs = new ArrayList<Channel>();
            for (Map<String, Object> c : Json.objects(m, "channels")) {
                cs.add(new Channel(c));
            }
            this.channels = Collections.unmodifiableList(cs);
        }

        /** The alias used in filters. */
        public String getAlias() {
            return alias;
        }

        /** The display name. */
        public String getName() {
            return name;
        }

        /** Its channels. */
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
    private final Object raw;

    MessengerStructure(Map<String, Object> m) {
        this.companiesHash = Json.textOrEmpty(m, "companies_hash");
        this.companiesName = Json.textOrEmpty(m, "companies_name");
        List<Department> ds = new ArrayList<Department>();
        for (Map<String, Object> d : Json.objects(m, "departments")) {
            ds.add(new Department(d));
        }
        this.departments = Collections.unmodifiableList(ds);
        this.raw = m.get("raw");
    }

    /** {@code companiesHash}. */
    public String getCompaniesHash() {
        return companiesHash;
    }

    /** {@code companiesName}. */
    public String getCompaniesName() {
        return companiesName;
    }

    /** The departments, in the server's order. */
    public List<Department> getDepartments() {
        return departments;
    }

    /** The structure as the server sent it (see {@link Json#parse} for the types). */
    public Object getRaw() {
        return raw;
    }

    @Override
    public String toString() {
        return "MessengerStructure[" + companiesName + ", " + departments + "]";
    }
}
