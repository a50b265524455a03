package com.example.shaded;

/**
 * An application that carries Krill inside its own jar, relocated: it names its copy of Krill
 * and hands over to Krill's launcher, which loads the native library and runs its self-check.
 */
public final class App {

    private App() {}

    public static void main(String[] args) {
        // After shading this prints the relocated name (the shade plugin rewrites the reference).
        System.out.println("krill class " + io.krill.Krill.class.getName());
        io.krill.Krill.main(args);
    }
}
