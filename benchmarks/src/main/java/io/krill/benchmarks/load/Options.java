package io.krill.benchmarks.load;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The load tools' command lines: {@code --name value} or {@code --name=value} pairs, each name
 * one the tool declared, either required or with a default. Anything else is an
 * {@link IllegalArgumentException} whose message the tool prints above its usage.
 */
final class Options {

    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = values;
    }

    /** Names are without dashes; those accepted are the {@code required} ones and the defaulted ones. */
    static Options parse(String[] args, Set<String> required, Map<String, String> defaults) {
        Map<String, String> values = new HashMap<>(defaults);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("expected --name value, got '" + arg + "'");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg.substring(2) : arg.substring(2, equals);
            if (!required.contains(name) && !defaults.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
            String value;
            if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            values.put(name, value);
        }
        for (String name : required) {
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException("--" + name + " is required");
            }
        }
        return new Options(values);
    }

    String string(String name) {
        return values.get(name);
    }

    int integer(String name, int min, int max) {
        int value;
        try {
            value = Integer.parseInt(values.get(name).replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + values.get(name) + "'", e);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("--" + name + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    double decimal(String name, double min, double max) {
        double value;
        try {
            value = Double.parseDouble(values.get(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + values.get(name) + "'", e);
        }
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException("--" + name + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    /** A comma-separated list of integers in [min, max], strictly increasing. */
    List<Integer> increasingIntegers(String name, int min, int max) {
        List<Integer> list = new ArrayList<>();
        for (String part : values.get(name).split(",", -1)) {
            int value;
            try {
                value = Integer.parseInt(part.strip().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be integers separated by commas, got '" + values.get(name) + "'", e);
            }
            if (value < min || value > max || (!list.isEmpty() && value <= list.getLast())) {
                throw new IllegalArgumentException("--" + name + " must increase, each in [" + min + ", " + max + "]: '" + values.get(name) + "'");
            }
            list.add(value);
        }
        return list;
    }
}
