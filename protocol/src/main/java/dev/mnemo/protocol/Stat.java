package dev.mnemo.protocol;

/**
 * One statistic as memcached prints it: text "stats" sends {@code STAT <name> <value>\r\n},
 * binary STAT a response with the name as key and the value as value.
 *
 * @param name  memcached's name, e.g. {@code curr_items}; ASCII, no spaces
 * @param value its value as memcached formats it: a decimal integer for counters and gauges,
 *              otherwise text (e.g. {@code rusage_user} in seconds with six decimals); ASCII
 */
public record Stat(String name, String value) {

    /** @return a statistic with a decimal integer value */
    static Stat number(String name, long value) {
        return new Stat(name, Long.toString(value));
    }

    /** @return a statistic with a text value */
    static Stat text(String name, String value) {
        return new Stat(name, value);
    }
}
