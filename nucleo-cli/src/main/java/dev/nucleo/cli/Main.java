package dev.nucleo.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the {@code nucleo} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status (see {@link ExitStatus}). */
    static int run(String... args) {
        return commandLine(System.err).execute(args);
    }

    /** The configured picocli command line; shared by main and the tests. */
    static CommandLine commandLine(PrintStream err) {
        CommandLine cli = new CommandLine(new NucleoCommand());
        configure(cli);
        cli.getSubcommands().get("run").getCommandSpec().usageMessage().exitCodeList(exitCodeList());
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, err));
        cli.setParameterExceptionHandler(Main::reportUsageError);
        return cli;
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

    /** The mistake and where to read more, rather than the whole usage text. */
    private static int reportUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println("nucleo: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + cli.getCommandSpec().qualifiedName() + " --help' for more information.");
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

    static void debug(Throwable t) {
        debug(t, System.err);
    }

    private static void debug(Throwable t, PrintStream err) {
        if (t != null && debugging()) {
            t.printStackTrace(err);
        }
    }
}
