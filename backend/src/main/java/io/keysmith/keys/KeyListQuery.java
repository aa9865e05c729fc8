package io.keysmith.keys;

import io.vertx.core.json.JsonArray;
import java.util.UUID;

/**
 * What a list (or export) of the organization's keys shows: the filters (each optional) and the order. Its {@link
 * #binding} is what a page cursor is sealed to, so a cursor works only with the filters and order it was issued for.
 */
public record KeyListQuery(
        UUID owner, String status, UUID partner, String apiType, String q, Sort sort, boolean descending) {

    /** The sortable columns (the contract's {@code sort} values). */
    public enum Sort {
        NAME("name"),
        CREATED_AT("createdAt"),
        LAST_USED_AT("lastUsedAt"),
        EXPIRES_AT("expiresAt");

        private final String parameter;

        Sort(String parameter) {
            this.parameter = parameter;
        }

        public static Sort of(String parameter) {
            if (parameter == null) {
                return CREATED_AT;
            }
            for (Sort s : values()) {
                if (s.parameter.equals(parameter)) {
                    return s;
                }
            }
            throw new IllegalArgumentException(parameter); // the contract's enum keeps others out
        }
    }

    /** The caller's own keys, oldest first. */
    public static KeyListQuery own(UUID owner) {
        return new KeyListQuery(owner, null, null, null, null, Sort.CREATED_AT, false);
    }

    /** Every part that decides which rows come in which order; JSON, so no value can pass for another. */
    public String binding() {
        return new JsonArray()
                .add(owner == null ? null : owner.toString())
                .add(status)
                .add(partner == null ? null : partner.toString())
                .add(apiType)
                .add(q)
                .add(sort.name())
                .add(descending)
                .encode();
    }
}
