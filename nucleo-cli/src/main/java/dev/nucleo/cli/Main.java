package dev.nucleo.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the {@code nucleo} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(execute(args, Stdio.system()));
    }

    /**
     * Runs a command line in this process with the given streams (never treated as a
     * terminal) and returns its exit status (see {@link ExitStatus}) instead of exiting.
     */
    static int execute(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return execute(args, new Stdio(in, out, err, false));
    }

    static int execute(String[] args, Stdio stdio) {
        return commandLine(stdio).execute(args);
    }

    /** The configured picocli command line; shared by main and the tests. */
    static CommandLine commandLine(Stdio stdio) {
        CommandLine cli = new CommandLine(new NucleoCommand(), new Factory(stdio));
        configure(cli);
        cli.getSubcommands().get("run").getCommandSpec().usageMessage().exitCodeList(exitCodeList());
        cli.setOut(new PrintWriter(stdio.out(), true));
        cli.setErr(new PrintWriter(stdio.err(), true));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, stdio.err()));
        cli.setParameterExceptionHandler(Main::reportUsageError);
        return cli;
    }

    /** As {@link #commandLine(Stdio)}, for tests that only read messages: no console input. */
    static CommandLine commandLine(PrintStream err) {
        return commandLine(new Stdio(InputStream.nullInputStream(), System.out, err, false));
    }

    /** Hands the streams to the commands that use them. */
    private record Factory(Stdio stdio) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == RunCommand.class) {
                return type.cast(new RunCommand(stdio));
            }
            if (type == GuestFetchCommand.class) {
                return type.cast(new GuestFetchCommand(stdio.err()));
            }
            if (type == GuestInitramfsCommand.class) {
                GuestInitramfsCommand command = new GuestInitramfsCommand();
                command.stdin = stdio.in();
                command.err = stdio.err();
                return type.cast(command);
            }
            try {
                return type.cast(type.getDeclaredConstructor(Stdio.class).newInstance(stdio));
            } catch (NoSuchMethodException noStdio) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }

    /** Usage mistakes end with 64 and failures with 70, in every (sub)command. */
    private static void configure(CommandLine cli) {
        cli.getCommandSpec().exitCodeOnInvalidInput(ExitStatus.USAGE);
        cli.getCommandSpec().exitCodeOnExecutionException(ExitStatus.INTERNAL_ERROR);
        cli.getSubcommands().values().forEach(Main::configure);
    }

    private static java.util.Map<String, String> exitCodeList() {
        java.util.Map<String, String> list = new java.util.LinkedHashMap<>();
        for (String line : ExitStatus.HELP_LIST) {
            int colon = line.indexOf(':');
            list.put(line.substring(0, colon), line.substring(colon + 1));
        }
        return list;
    }

    /**
     * The mistake, a suggestion for a mistyped option and where to read more, on one line
     * (like every other error) rather than the whole usage text.
     */
    private static int reportUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        String suggestion = "";
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            suggestion = "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?";
        }
        cli.getErr().println("nucleo: " + e.getMessage() + suggestion
                + " (see '" + cli.getCommandSpec().qualifiedName() + " --help')");
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** One line for the user; the stack trace only with NUCLEO_DEBUG=1. */
    static int report(Exception e, PrintStream err) {
        if (e instanceof CliException cli) {
            err.println("nucleo: " + cli.getMessage());
            debug(cli.getCause(), err);
            return cli.status();
        }
        err.println("nucleo: internal error: " + e + (debugging() ? "" : " (set NUCLEO_DEBUG=1 for details)"));
        debug(e, err);
        return ExitStatus.INTERNAL_ERROR;
    }

    static boolean debugging() {
        return "1".equals(System.getenv("NUCLEO_DEBUG"));
    }

    static void debug(Throwable t, PrintStream err) {
        if (t != null && debugging()) {
            t.printStackTrace(err);
        }
    }
}
