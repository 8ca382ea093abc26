package dev.nucleo.cpu;

import static dev.nucleo.cpu.Decode.*;
import static java.lang.constant.ConstantDescs.*;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Compiles a {@link Block} to a hidden class extending {@link ChainedBlock}, with the
 * JDK's class-file API.
 *
 * <p>Guest registers live in JVM locals inside the block: each is read from {@code hart.x}
 * the first time it is used and written back when the block ends. An instruction that can
 * trap (loads and stores: anything calling the MMU) gets an exception handler of its own,
 * covering just that call: on a {@link Trap} it sets {@code hart.pc} to that instruction, adds
 * the instructions retired before it to {@code hart.instret} and writes back the registers
 * changed so far (a chain of write-backs shared with the block's earlier handlers), then
 * rethrows, so a trap leaves exactly the interpreter's state while the path without a trap
 * does none of that work. Every exit may call the next compiled block
 * directly ({@link ChainedBlock}). Hidden classes are defined without STRONG: a dropped block
 * can be unloaded.
 */
final class BlockCompiler {
    private static final ClassDesc CD_HART = ClassDesc.of("dev.nucleo.cpu.Hart");
    private static final ClassDesc CD_MMU = ClassDesc.of("dev.nucleo.cpu.Mmu");
    private static final ClassDesc CD_CHAINED = ClassDesc.of("dev.nucleo.cpu.ChainedBlock");
    private static final ClassDesc CD_HOT_MEMORY = ClassDesc.of("dev.nucleo.cpu.HotMemory");
    private static final MethodTypeDesc GO_TO = MethodTypeDesc.of(CD_void, CD_HART, CD_long, CD_int);
    private static final MethodTypeDesc NEXT = MethodTypeDesc.of(CD_CHAINED, CD_HART, CD_long, CD_int);
    private static final ClassDesc CD_OPS = ClassDesc.of("dev.nucleo.cpu.TranslatedOps");
    private static final ClassDesc CD_MATH = ClassDesc.of("java.lang.Math");
    private static final ClassDesc CD_LONG_ARRAY = CD_long.arrayType();
    /** Warm blocks: compiled by C1 only (see {@link JitDirectives}), counting their runs. */
    static final String WARM_CLASS = "dev.nucleo.cpu.TranslatedBlock";
    private static final ClassDesc WARM_NAME = ClassDesc.of(WARM_CLASS);
    /** Hot blocks: compiled again without the count, for HotSpot's optimizing compiler. */
    private static final String HOT_CLASS = "dev.nucleo.cpu.HotTranslatedBlock";
    private static final ClassDesc HOT_NAME = ClassDesc.of(HOT_CLASS);
    private static final MethodTypeDesc RUN = MethodTypeDesc.of(CD_void, CD_HART);
    private static final MethodTypeDesc NEW_INSTANCE = MethodTypeDesc.of(CD_CHAINED);
    private static final ClassDesc CD_BLOCK_COMPILER = ClassDesc.of("dev.nucleo.cpu.BlockCompiler");
    private static final MethodTypeDesc DEFINED_TYPE = MethodTypeDesc.of(CD_void, CD_CHAINED);
    /** A block class's static field holding its prototype (see {@link #defined}). */
    private static final String PROTOTYPE = "PROTOTYPE";
    private static final MethodTypeDesc TRAPPED_AT = MethodTypeDesc.of(CD_void, CD_HART, CD_long, CD_int);
    private static final MethodTypeDesc LONG_LONG_TO_LONG = MethodTypeDesc.of(CD_long, CD_long, CD_long);
    private static final MethodTypeDesc LONG_LONG_TO_INT = MethodTypeDesc.of(CD_int, CD_long, CD_long);
    private static final MethodTypeDesc LOAD = MethodTypeDesc.of(CD_long, CD_long);
    private static final MethodTypeDesc STORE = MethodTypeDesc.of(CD_void, CD_long, CD_long);
    private static final MethodTypeDesc LOAD_RESERVED = MethodTypeDesc.of(CD_long, CD_long, CD_int);
    private static final MethodTypeDesc STORE_CONDITIONAL = MethodTypeDesc.of(CD_long, CD_long, CD_int, CD_long);
    private static final MethodTypeDesc AMO = MethodTypeDesc.of(CD_long, CD_long, CD_int, CD_int, CD_long);
    private static final ClassDesc CD_VAR_HANDLE = ClassDesc.of("java.lang.invoke.VarHandle");
    private static final ClassDesc CD_TRAP = ClassDesc.of("dev.nucleo.cpu.Trap");
    private static final ClassDesc CD_FLOATS = ClassDesc.of("dev.nucleo.cpu.FloatInstructions");
    private static final ClassDesc CD_CSRS = ClassDesc.of("dev.nucleo.cpu.CsrFile");

    // Local variable slots of run(Hart).
    private static final int HART = 1;
    private static final int REGS = 2;
    private static final int MMU = 3;
    private static final int TEMP = 4;
    private static final int FIRST_REGISTER = 6;
    private static final int CODE_WRITES = FIRST_REGISTER + 64;   // mmu.codeWrites on entry
    private static final int ITERATIONS = CODE_WRITES + 1;        // loop iterations still allowed
    private static final int CONTEXT = ITERATIONS + 1;            // mmu.dataContext on entry
    private static final int ADDRESS = CONTEXT + 2;               // a load or store's address
    private static final int VALUE = ADDRESS + 2;                 // a store's value

    // The class data of a hot block, constants to the JIT (a hot block only ever runs on the
    // hart it was compiled for): the hart's registers and MMU and its fast-TLB arrays. Its RAM's
    // address is a constant in the code.
    private static final MethodTypeDesc HOT_LOAD = MethodTypeDesc.of(CD_long, CD_long, CD_LONG_ARRAY, CD_LONG_ARRAY,
            CD_MMU, CD_long, CD_long);
    private static final MethodTypeDesc HOT_STORE = MethodTypeDesc.of(CD_void, CD_long, CD_LONG_ARRAY, CD_LONG_ARRAY,
            CD_MMU, CD_long, CD_long, CD_long);
    private static final DynamicConstantDesc<?> READ_TAG = classData(0, CD_LONG_ARRAY);
    private static final DynamicConstantDesc<?> READ_OFFSET = classData(1, CD_LONG_ARRAY);
    private static final DynamicConstantDesc<?> WRITE_TAG = classData(2, CD_LONG_ARRAY);
    private static final DynamicConstantDesc<?> WRITE_OFFSET = classData(3, CD_LONG_ARRAY);
    private static final DynamicConstantDesc<?> REGISTERS = classData(4, CD_LONG_ARRAY);
    private static final DynamicConstantDesc<?> THE_MMU = classData(5, CD_MMU);

    private static DynamicConstantDesc<?> classData(int index, ClassDesc type) {
        return DynamicConstantDesc.ofNamed(BSM_CLASS_DATA_AT, DEFAULT_NAME, type, index);
    }

    /**
     * Calls of a new block's copy ({@link #warmUp}; 0: none). HotSpot queues a method for
     * C1 after 200 calls (Tier3InvocationThreshold), checked every 128 (Tier0InvokeNotifyFreqLog),
     * and the threshold grows while C1's queue is long; calls beyond it still count towards it.
     */
    private static final int WARM_UP_CALLS = Integer.getInteger("nucleo.translator.warmup", 256);
    /**
     * A warm block is warmed up only if it reached the compile threshold this soon after it started
     * counting (1000 runs a second). One that took longer (an idle guest's timer path, say) runs
     * rarely: HotSpot interpreting it costs little, and compiling every such block at once with
     * C1 cost an idle guest with 2 harts about 0.3 % of a core. A 10 s window halved the boot's
     * share of warm blocks in HotSpot's interpreter (8.9 % -> 4.2 % of the hart's samples) but
     * queued more C1 work: boot and sha256 were no faster (3 alternating rounds, sha256 slower
     * in each).
     */
    private static final long WARM_UP_WITHIN_NANOS = 1_000_000_000L;

    /**
     * A loop inside one run() (a block branching back to itself, or a region's jump back to
     * one of its blocks) repeats for about this many instructions, then leaves by the exit.
     */
    private static final int LOOP_INSTRUCTIONS = 256;
    /**
     * A hot region's run() above this many bytes of bytecode loses blocks from its end:
     * HotSpot compiles no method over 8000 bytes (HugeMethodLimit), and C2's time grows with size.
     */
    private static final int MAX_REGION_BYTECODE = 6000;

    /** The prototype a block class's static initializer just made on this thread ({@link #defined}). */
    private static final ThreadLocal<ChainedBlock> DEFINED = new ThreadLocal<>();

    private final MethodHandles.Lookup lookup = MethodHandles.lookup();
    private final List<Object> classData;
    private final long ramAddress;          // of this hart's RAM, for hot blocks' HotMemory calls
    // The only types in the generated frames are ours: describe them, so building a class
    // never loads or parses classes to find a hierarchy.
    private final ClassFile classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
            ClassHierarchyResolver.of(List.of(), Map.of(CD_HART, CD_Object, CD_MMU, CD_Object, CD_CHAINED, CD_Object))
                    .orElse(ClassHierarchyResolver.ofClassLoading(lookup))));

    /** A compiler for the blocks of this hart (its hot blocks' constants are its registers, MMU and RAM). */
    BlockCompiler(Hart hart) {
        Mmu mmu = hart.mmu;
        ramAddress = mmu.ramAddress();
        classData = List.of(mmu.readTag, mmu.readOffset, mmu.writeTag, mmu.writeOffset, hart.x, mmu);
    }

    /**
     * A block's first compiled code: warm, calling {@link Hart#promote} on its
     * {@code runsToPromotion}-th run, or hot at once when runsToPromotion is 0; either way
     * already queued for C1 ({@link #warmUp}) if the block is busy.
     */
    ChainedBlock compileFirst(Block block, int runsToPromotion) {
        if (runsToPromotion == 0) {
            return compileHot(block);
        }
        boolean busy = System.nanoTime() - block.countingSince < WARM_UP_WITHIN_NANOS;
        ChainedBlock compiled = compile(block, false, busy);
        compiled.runsToPromotion = runsToPromotion;
        return compiled;
    }

    /**
     * Calls a new block's code often enough that HotSpot queues it for C1 at once, through its
     * class's prototype ({@link #defined}), which never runs as a block: marked here, its runs
     * return before they read the hart. Otherwise the hart's own first few
     * hundred runs of every new block would run in HotSpot's bytecode interpreter, several
     * times slower than compiled code, before HotSpot even asks C1 for it (about a tenth of the
     * hart's time in a boot). Costs some tens of microseconds on the compiling thread.
     */
    private static void warmUp(ChainedBlock prototype) {
        prototype.warmUpOnly = true;
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            prototype.run(null);
        }
    }

    /**
     * A hot block: no run count, and C2 may compile it. Warmed up like a warm block: 256 calls
     * are too few for HotSpot to start profiling in its interpreter (it does from 400), so C2
     * later sees only the profile of the block's real runs.
     */
    ChainedBlock compileHot(Block block) {
        return compileHot(List.of(block));
    }

    /**
     * A hot region: the first block's code, in which exits to the region's other blocks jump
     * to their code in the same method ({@link Emitter}); they must be on the first one's page.
     */
    ChainedBlock compileHot(List<Block> region) {
        return compile(region, true, true);
    }

    /** Whether compiled is the code of a hot block. */
    static boolean isHot(ChainedBlock compiled) {
        return compiled.getClass().getName().startsWith(HOT_CLASS);
    }

    /**
     * The block's class, defined and instantiated (a warm one possibly defined by another
     * hart already, see {@link WarmClasses}); with warmUp, a new class's prototype is called
     * ({@link #warmUp}).
     */
    private ChainedBlock compile(Block block, boolean hot, boolean warmUp) {
        return compile(List.of(block), hot, warmUp);
    }

    private ChainedBlock compile(List<Block> region, boolean hot, boolean warmUp) {
        JitDirectives.install();                // before the first warm class exists
        Block block = region.getFirst();
        ChainedBlock prototype = hot ? null : WarmClasses.lookUp(block);
        boolean newClass = prototype == null;
        if (newClass) {
            try {
                if (hot) {
                    byte[] bytes = build(region, true);
                    while (region.size() > 1 && runBytecodeSize(bytes) > MAX_REGION_BYTECODE) {
                        region = region.subList(0, region.size() - 1);   // too big for one method
                        bytes = build(region, true);
                    }
                    prototype = defineHot(bytes);
                } else {
                    prototype = defineWarm(block);
                }
            } catch (IllegalAccessException | LinkageError e) {
                throw new IllegalStateException("cannot load the translation of the block at 0x"
                        + Long.toHexString(block.pc), e);
            }
        }
        ChainedBlock compiled = prototype.newInstance();
        compiled.source = block;
        compiled.inlined = region.subList(1, region.size());
        if (newClass && warmUp && WARM_UP_CALLS > 0) {
            warmUp(prototype);
        }
        return compiled;
    }

    /**
     * Builds and defines a warm block's class, which has no class data and is shared
     * ({@link WarmClasses}); returns its prototype.
     */
    private ChainedBlock defineWarm(Block block) throws IllegalAccessException {
        lookup.defineHiddenClass(build(List.of(block), false), true);
        ChainedBlock prototype = takeDefined();
        WarmClasses.add(block, prototype);
        return prototype;
    }

    /** Defines a hot class with this hart's registers, MMU and TLB arrays as class data; returns its prototype. */
    private ChainedBlock defineHot(byte[] bytes) throws IllegalAccessException {
        lookup.defineHiddenClassWithClassData(bytes, classData, true);
        return takeDefined();
    }

    /**
     * Called by the static initializer of every block class, which runs while the class is
     * defined, on the defining thread: the class's prototype, an instance that never runs as a
     * block (only {@link #warmUp} calls it) and whose {@link ChainedBlock#newInstance} makes the
     * instances that do. The class keeps it
     * in a static field, so it lives exactly as long as the class.
     */
    static void defined(ChainedBlock prototype) {
        DEFINED.set(prototype);
    }

    private static ChainedBlock takeDefined() {
        ChainedBlock prototype = DEFINED.get();
        DEFINED.remove();
        if (prototype == null) {
            throw new IllegalStateException("a block class was defined without making its prototype");
        }
        return prototype;
    }

    private byte[] build(List<Block> region, boolean hot) {
        int[] exits = new int[1];               // known once run() is emitted
        ClassDesc self = hot ? HOT_NAME : WARM_NAME;
        return classFile.build(self, cb -> cb
                .withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER)
                .withSuperclass(CD_CHAINED)
                .withField(PROTOTYPE, CD_CHAINED, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL)
                .withMethodBody("run", RUN, ClassFile.ACC_PUBLIC, code -> exits[0] = new Emitter(code, region, hot, ramAddress).emit())
                .withMethodBody(INIT_NAME, MTD_void, ClassFile.ACC_PUBLIC, code -> code
                        .aload(0).loadConstant(exits[0])
                        .invokespecial(CD_CHAINED, INIT_NAME, MethodTypeDesc.of(CD_void, CD_int)).return_())
                .withMethodBody("newInstance", NEW_INSTANCE, ClassFile.ACC_PUBLIC, code -> code
                        .new_(self).dup().invokespecial(self, INIT_NAME, MTD_void).areturn())
                .withMethodBody(CLASS_INIT_NAME, MTD_void, ClassFile.ACC_STATIC, code -> code
                        .new_(self).dup().invokespecial(self, INIT_NAME, MTD_void)
                        .dup().putstatic(self, PROTOTYPE, CD_CHAINED)
                        .invokestatic(CD_BLOCK_COMPILER, "defined", DEFINED_TYPE).return_()));
    }

    private int runBytecodeSize(byte[] bytes) {
        return classFile.parse(bytes).methods().stream()
                .filter(m -> m.methodName().equalsString("run"))
                .mapToInt(m -> m.findAttribute(Attributes.code()).orElseThrow().codeLength())
                .sum();
    }

    /**
     * A handler to emit for the MMU call between start and end: the registers dirty there,
     * the instructions retired before it in this run of the block, and its pc.
     */
    private record TrapHandler(Label start, Label end, boolean[] dirty, int retired, long pc) {
    }

    /**
     * The way out of a block taken by a branch in its middle, to emit after the block's code:
     * where the branch jumps to, the registers dirty there and the instructions retired with it.
     */
    private record SideExit(Label taken, boolean[] dirty, int retired, long target, int member) {
    }

    /**
     * Emits the body of run(Hart) for a region: its blocks one after the other, the first
     * where run() starts. Each block starts with every register in hart.x and nothing in
     * locals, as a block of its own would, so an exit to another block of the region is a
     * jump to that block's code; a jump back (to the same or an earlier block: a loop) only
     * while the loop's budget of instructions lasts and no store hit translated code.
     */
    private static final class Emitter {
        private final CodeBuilder code;
        private final List<Block> region;
        private final Label[] starts;
        /** Instructions of the region's blocks before each: what a jump back costs the budget. */
        private final int[] instructionsBefore;
        private Block block;        // the region's block being emitted
        private int member;         // its index in region
        private final boolean[] loaded = new boolean[32];
        private final boolean[] dirty = new boolean[32];
        private int exits;          // exits numbered so far (ChainedBlock's links)
        /** Exception handlers and side exits still to emit, after the block's code. */
        private final List<TrapHandler> trapHandlers = new ArrayList<>();
        private final List<SideExit> sideExits = new ArrayList<>();

        private final boolean countRuns;
        private final boolean inlineMemory;
        /** Whether each exit makes its chained call itself (warm code: C1 never guesses at a call's class). */
        private final boolean ownCallSites;
        private final long ramAddress;

        /**
         * A hot block does its loads and stores through {@link HotMemory}, which C2 inlines
         * with the constants (RAM's address, the TLB arrays) folded. A warm one calls Mmu: the
         * same test and access written out in a warm block made C1's work in a boot half as
         * large again and the boot slower (docs/benchmarks.md).
         */
        Emitter(CodeBuilder code, List<Block> region, boolean hot, long ramAddress) {
            this.code = code;
            this.ramAddress = ramAddress;
            this.region = region;
            this.countRuns = !hot;
            this.inlineMemory = hot;
            this.ownCallSites = !hot;
            starts = new Label[region.size()];
            instructionsBefore = new int[region.size()];
            for (int k = 0; k < region.size(); k++) {
                starts[k] = code.newLabel();
                instructionsBefore[k] = k == 0 ? 0 : instructionsBefore[k - 1] + region.get(k - 1).length();
            }
        }

        /** Emits run(Hart); returns how many exits it has. */
        int emit() {
            returnIfWarmingUp();
            if (countRuns) {
                code.aload(0).aload(HART).invokevirtual(CD_CHAINED, "countRun", MethodTypeDesc.of(CD_void, CD_HART));
            }
            if (inlineMemory) {
                code.ldc(REGISTERS).astore(REGS);
                code.ldc(THE_MMU).astore(MMU);
            } else {                            // shared by harts: everything from the hart
                code.aload(HART).getfield(CD_HART, "x", CD_LONG_ARRAY).astore(REGS);
                code.aload(HART).getfield(CD_HART, "mmu", CD_MMU).astore(MMU);
            }
            if (inlineMemory) {
                code.aload(MMU).getfield(CD_MMU, "dataContext", CD_long).lstore(CONTEXT);
            }
            if (jumpsBack()) {
                code.aload(MMU).getfield(CD_MMU, "codeWrites", CD_int).istore(CODE_WRITES);
                code.loadConstant(LOOP_INSTRUCTIONS).istore(ITERATIONS);
            }
            for (member = 0; member < region.size(); member++) {
                block = region.get(member);
                Arrays.fill(loaded, false);     // every register is in hart.x here
                Arrays.fill(dirty, false);
                code.labelBinding(starts[member]);
                emitBlock();
            }
            return emitDeferred();
        }

        /** The code of one block of the region, from its first instruction to its exits. */
        private void emitBlock() {
            long[] pcs = block.pcs;
            int n = block.length();
            for (int i = 0; i < n; i++) {
                int inst = block.instructions[i];
                long pc = pcs[i];
                long next = pc + block.lengths[i];
                if (i == n - 1 && BlockDecoder.endsBlock(inst)) {
                    controlTransfer(inst, pc, next, n);
                    return;
                }
                switch (Decode.opcode(inst)) {
                    case 0x6f -> constant(rd(inst), next);      // a jal the block went through
                    case 0x63 -> sideExit(i, inst, pc);         // a branch the block went past
                    default -> instruction(i, inst, pc);
                }
            }
            finish(n);
            exitTo(n == 0 ? block.pc : pcs[n - 1] + block.lengths[n - 1]);
        }

        /** A prototype's run returns here while it is warmed up, before it reads the hart ({@link #warmUp}). */
        private void returnIfWarmingUp() {
            Label body = code.newLabel();
            code.aload(0).getfield(CD_CHAINED, "warmUpOnly", CD_boolean).ifeq(body).return_().labelBinding(body);
        }

        /** Whether an exit of a block of the region goes back to it or to an earlier one: a loop. */
        private boolean jumpsBack() {
            for (int k = 0; k < region.size(); k++) {
                for (long target : region.get(k).directTargets()) {
                    int to = memberAt(target);
                    if (to >= 0 && to <= k) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** The side exits and trap handlers left for after the block's last return; returns the exit count. */
        private int emitDeferred() {
            for (SideExit exit : sideExits) {
                code.labelBinding(exit.taken());
                writeBack(exit.dirty());
                addRetired(exit.retired());
                member = exit.member();
                block = region.get(member);
                exitTo(exit.target());
            }
            emitTrapHandlers();
            return exits;
        }

        // ------------------------------------------------------------ guest registers

        private void read(int r) {
            if (r == 0) {
                code.lconst_0();
            } else if (loaded[r]) {
                code.lload(slot(r));
            } else {
                code.aload(REGS).loadConstant(r).laload().dup2().lstore(slot(r));
                loaded[r] = true;
            }
        }

        /** Stores the long on the stack into rd (dropped for x0). */
        private void write(int rd) {
            if (rd == 0) {
                code.pop2();
                return;
            }
            code.lstore(slot(rd));
            loaded[rd] = true;
            dirty[rd] = true;
        }

        private static int slot(int r) {
            return FIRST_REGISTER + 2 * r;
        }

        /** Writes back the registers marked in which. */
        private void writeBack(boolean[] which) {
            for (int r = 1; r < 32; r++) {
                if (which[r]) {
                    writeBack(r);
                }
            }
        }

        /** Writes register r's local back to hart.x. */
        private void writeBack(int r) {
            code.aload(REGS).loadConstant(r).lload(slot(r)).lastore();
        }

        private void addRetired(int retired) {
            if (retired > 0) {
                code.aload(HART).dup().getfield(CD_HART, "instret", CD_long)
                        .loadConstant((long) retired).ladd().putfield(CD_HART, "instret", CD_long);
            }
        }

        /**
         * Leaves the block (its state already complete in the hart) by a new exit to target
         * (null: the jalr target in TEMP), calling the block remembered there if it may, else
         * returning to the dispatcher: a hot block through {@link ChainedBlock#goTo}, a warm
         * one from a call site of this exit's own ({@link ChainedBlock#next} says what to call).
         */
        private void chainOrReturn(Long target) {
            code.aload(0).aload(HART);
            if (target == null) {
                code.lload(TEMP);
            } else {
                code.loadConstant(target);
            }
            code.loadConstant(exits++);
            if (ownCallSites) {
                Label none = code.newLabel();
                code.invokevirtual(CD_CHAINED, "next", NEXT)
                        .dup().ifnull(none)
                        .aload(HART).invokevirtual(CD_CHAINED, "run", RUN).return_()
                        .labelBinding(none);
                code.pop();
            } else {
                code.invokevirtual(CD_CHAINED, "goTo", GO_TO);
            }
            code.return_();
        }

        private void setPc(long pc) {
            code.aload(HART).loadConstant(pc).putfield(CD_HART, "pc", CD_long);
        }

        /**
         * Emits the MMU call of instruction i at pc (its operands already on the stack), with
         * a handler that makes the hart's state precise for it if the call throws a Trap.
         */
        private void mayTrap(int i, long pc, Runnable call) {
            Label start = code.newBoundLabel();
            call.run();
            Label end = code.newBoundLabel();
            trapHandlers.add(new TrapHandler(start, end, dirty.clone(), i, pc));
        }

        /**
         * The handlers mayTrap left for later. Each notes its pc and retired count, then
         * writes back the registers: in a block registers only become dirty, so a handler's
         * registers are mostly those of the handler before it plus a few, and the write-backs
         * form a chain, each writing what became dirty since the one before and going on into
         * it (where the earlier set is not contained, as at the start of a region's next
         * block, the chain starts again). A handler costs a few bytes instead of a write per
         * dirty register, which leaves C2 more of its inlining budget for the region's loads
         * and stores.
         */
        private void emitTrapHandlers() {
            Label[] writeBacks = new Label[trapHandlers.size()];
            for (int k = 0; k < writeBacks.length; k++) {
                TrapHandler h = trapHandlers.get(k);
                writeBacks[k] = code.newLabel();
                code.exceptionCatch(h.start(), h.end(), code.newBoundLabel(), CD_TRAP);
                code.aload(HART).loadConstant(h.pc()).loadConstant(h.retired())
                        .invokestatic(CD_CHAINED, "trappedAt", TRAPPED_AT)
                        .goto_(writeBacks[k]);
            }
            boolean[] none = new boolean[32];
            for (int k = writeBacks.length - 1; k >= 0; k--) {
                TrapHandler h = trapHandlers.get(k);
                // Registers dirty at the earlier handler are dirty here too, so their locals hold
                // values on both ways into its write-back.
                boolean chained = k > 0 && holds(h.dirty(), trapHandlers.get(k - 1).dirty());
                boolean[] before = chained ? trapHandlers.get(k - 1).dirty() : none;
                code.labelBinding(writeBacks[k]);
                for (int r = 1; r < 32; r++) {
                    if (h.dirty()[r] && !before[r]) {
                        writeBack(r);
                    }
                }
                if (!chained) {
                    code.athrow();              // the Trap, still on the stack
                }
            }
        }

        private static boolean holds(boolean[] set, boolean[] subset) {
            for (int r = 0; r < set.length; r++) {
                if (subset[r] && !set[r]) {
                    return false;
                }
            }
            return true;
        }

        /** At the block's end: writes back what changed and counts the whole block retired. */
        private void finish(int n) {
            writeBack(dirty);
            Arrays.fill(dirty, false);
            addRetired(n);
        }

        // ------------------------------------------------------------ instructions

        private void instruction(int i, int inst, long pc) {
            int rd = rd(inst);
            switch (opcode(inst)) {
                case 0x37 -> constant(rd, immU(inst));                                  // lui
                case 0x17 -> constant(rd, pc + immU(inst));                             // auipc
                case 0x13 -> {
                    if (rd != 0) {
                        opImm(inst);
                        write(rd);
                    }
                }
                case 0x1b -> {
                    if (rd != 0) {
                        opImm32(inst);
                        write(rd);
                    }
                }
                case 0x33 -> {
                    if (rd != 0) {
                        op(inst);
                        write(rd);
                    }
                }
                case 0x3b -> {
                    if (rd != 0) {
                        op32(inst);
                        write(rd);
                    }
                }
                case 0x03 -> load(i, inst, pc);
                case 0x23 -> store(i, inst, pc);
                case 0x07 -> floatLoad(i, inst, pc);
                case 0x27 -> floatStore(i, inst, pc);
                case 0x2f -> atomic(i, inst, pc);
                case 0x0f -> {
                    if (inst == Hart.PAUSE) {
                        code.aload(HART).invokevirtual(CD_HART, "spinWait", MTD_void);
                    } else {
                        code.invokestatic(CD_VAR_HANDLE, "fullFence", MTD_void);   // fence
                    }
                }
                default -> throw new IllegalArgumentException("not translatable: 0x" + Integer.toHexString(inst));
            }
        }

        private void constant(int rd, long value) {
            if (rd != 0) {
                code.loadConstant(value);
                write(rd);
            }
        }

        private void address(int inst, long offset) {
            read(rs1(inst));
            if (offset != 0) {
                code.loadConstant(offset).ladd();
            }
        }

        /**
         * A load: in a hot block through {@link HotMemory} (the fast TLB, the MMU call only on
         * a miss), in a warm block the MMU call (which makes the same test).
         */
        private void load(int i, int inst, long pc) {
            int funct3 = funct3(inst);
            int size = 1 << (funct3 & 3);
            address(inst, immI(inst));
            code.lstore(ADDRESS);
            mayTrap(i, pc, () -> {
                if (inlineMemory) {
                    code.loadConstant(ramAddress).ldc(READ_TAG).ldc(READ_OFFSET).aload(MMU).lload(ADDRESS).lload(CONTEXT)
                            .invokestatic(CD_HOT_MEMORY, "load" + 8 * size, HOT_LOAD);
                } else {
                    code.aload(MMU).lload(ADDRESS).invokevirtual(CD_MMU, "load" + 8 * size, LOAD);
                }
            });
            switch (funct3) {
                case 4 -> code.loadConstant(0xffL).land();
                case 5 -> code.loadConstant(0xffffL).land();
                case 6 -> code.loadConstant(0xffff_ffffL).land();
                default -> {
                }
            }
            write(rd(inst));
        }

        /** A store: like a load, through {@link HotMemory} in a hot block, else the MMU call. */
        private void store(int i, int inst, long pc) {
            int size = 1 << (funct3(inst) & 3);
            address(inst, immS(inst));
            code.lstore(ADDRESS);
            read(rs2(inst));
            code.lstore(VALUE);
            mayTrap(i, pc, () -> {
                if (inlineMemory) {
                    code.loadConstant(ramAddress).ldc(WRITE_TAG).ldc(WRITE_OFFSET).aload(MMU).lload(ADDRESS).lload(VALUE)
                            .lload(CONTEXT).invokestatic(CD_HOT_MEMORY, "store" + 8 * size, HOT_STORE);
                } else {
                    code.aload(MMU).lload(ADDRESS).lload(VALUE).invokevirtual(CD_MMU, "store" + 8 * size, STORE);
                }
            });
        }

        /** flw and fld: like the interpreter, FS must be on, and is marked dirty after. */
        private void floatLoad(int i, int inst, long pc) {
            requireFp(i, pc);
            code.aload(HART).getfield(CD_HART, "f", CD_LONG_ARRAY).loadConstant(rd(inst));
            code.aload(MMU);
            address(inst, immI(inst));
            boolean single = funct3(inst) == 2;
            mayTrap(i, pc, () -> code.invokevirtual(CD_MMU, single ? "load32" : "load64", LOAD));
            if (single) {
                code.invokestatic(CD_FLOATS, "box", LOAD);
            }
            code.lastore();
            markFpDirty();
        }

        /** fsw and fsd (fsw stores the low 32 bits whatever their boxing). */
        private void floatStore(int i, int inst, long pc) {
            requireFp(i, pc);
            code.aload(MMU);
            address(inst, immS(inst));
            code.aload(HART).getfield(CD_HART, "f", CD_LONG_ARRAY).loadConstant(rs2(inst)).laload();
            boolean single = funct3(inst) == 2;
            mayTrap(i, pc, () -> code.invokevirtual(CD_MMU, single ? "store32" : "store64", STORE));
            markFpDirty();
        }

        private void requireFp(int i, long pc) {
            code.aload(HART).loadConstant(block.encoding(i, pc));
            mayTrap(i, pc, () -> code.invokestatic(CD_FLOATS, "requireEnabled", MethodTypeDesc.of(CD_void, CD_HART, CD_int)));
        }

        /** As the interpreter does after every FP instruction. */
        private void markFpDirty() {
            code.aload(HART).getfield(CD_HART, "csr", CD_CSRS).invokevirtual(CD_CSRS, "markFpDirty", MTD_void);
        }

        /** LR, SC and AMOs: the MMU's atomic operations, as the interpreter calls them. */
        private void atomic(int i, int inst, long pc) {
            int size = funct3(inst) == 2 ? 4 : 8;
            int funct5 = inst >>> 27;
            code.aload(MMU);
            read(rs1(inst));
            code.loadConstant(size);
            switch (funct5) {
                case 0x02 -> mayTrap(i, pc, () -> code.invokevirtual(CD_MMU, "loadReserved", LOAD_RESERVED));
                case 0x03 -> {
                    read(rs2(inst));
                    mayTrap(i, pc, () -> code.invokevirtual(CD_MMU, "storeConditional", STORE_CONDITIONAL));
                }
                default -> {
                    code.loadConstant(funct5);
                    read(rs2(inst));
                    mayTrap(i, pc, () -> code.invokevirtual(CD_MMU, "amo", AMO));
                }
            }
            write(rd(inst));
        }

        /** Leaves 1 or 0 (as a long) for a signed (lcmp) or unsigned comparison result below zero. */
        private void lessThan(boolean unsigned) {
            if (unsigned) {
                code.invokestatic(CD_Long, "compareUnsigned", LONG_LONG_TO_INT);
            } else {
                code.lcmp();
            }
            code.loadConstant(31).iushr().i2l();
        }

        private void opImm(int inst) {
            long imm = immI(inst);
            read(rs1(inst));
            switch (funct3(inst)) {
                case 0 -> {
                    if (imm != 0) {
                        code.loadConstant(imm).ladd();
                    }
                }
                case 1 -> code.loadConstant((int) imm & 63).lshl();
                case 2 -> {
                    code.loadConstant(imm);
                    lessThan(false);
                }
                case 3 -> {
                    code.loadConstant(imm);
                    lessThan(true);
                }
                case 4 -> code.loadConstant(imm).lxor();
                case 5 -> {
                    code.loadConstant((int) imm & 63);
                    if ((inst >>> 26) == 0x10) {
                        code.lshr();
                    } else {
                        code.lushr();
                    }
                }
                case 6 -> code.loadConstant(imm).lor();
                default -> code.loadConstant(imm).land();
            }
        }

        private void opImm32(int inst) {
            read(rs1(inst));
            code.l2i();
            switch (funct3(inst)) {
                case 0 -> code.loadConstant((int) immI(inst)).iadd();
                case 1 -> code.loadConstant(rs2(inst)).ishl();
                default -> {
                    code.loadConstant(rs2(inst));
                    if (funct7(inst) == 0x20) {
                        code.ishr();
                    } else {
                        code.iushr();
                    }
                }
            }
            code.i2l();
        }

        private void op(int inst) {
            int funct3 = funct3(inst);
            int funct7 = funct7(inst);
            read(rs1(inst));
            read(rs2(inst));
            if (funct7 == 0x01) {
                switch (funct3) {
                    case 0 -> code.lmul();
                    case 1 -> code.invokestatic(CD_MATH, "multiplyHigh", LONG_LONG_TO_LONG);
                    case 2 -> code.invokestatic(CD_OPS, "mulhsu", LONG_LONG_TO_LONG);
                    case 3 -> code.invokestatic(CD_MATH, "unsignedMultiplyHigh", LONG_LONG_TO_LONG);
                    case 4 -> code.invokestatic(CD_OPS, "div", LONG_LONG_TO_LONG);
                    case 5 -> code.invokestatic(CD_OPS, "divu", LONG_LONG_TO_LONG);
                    case 6 -> code.invokestatic(CD_OPS, "rem", LONG_LONG_TO_LONG);
                    default -> code.invokestatic(CD_OPS, "remu", LONG_LONG_TO_LONG);
                }
                return;
            }
            switch (funct3) {
                case 0 -> {
                    if (funct7 == 0x20) {
                        code.lsub();
                    } else {
                        code.ladd();
                    }
                }
                case 1 -> code.l2i().lshl();                 // the JVM masks long shifts to 6 bits too
                case 2 -> lessThan(false);
                case 3 -> lessThan(true);
                case 4 -> code.lxor();
                case 5 -> {
                    code.l2i();
                    if (funct7 == 0x20) {
                        code.lshr();
                    } else {
                        code.lushr();
                    }
                }
                case 6 -> code.lor();
                default -> code.land();
            }
        }

        private void op32(int inst) {
            int funct3 = funct3(inst);
            int funct7 = funct7(inst);
            if (funct7 == 0x01 && funct3 >= 4) {
                read(rs1(inst));
                read(rs2(inst));
                String method = switch (funct3) {
                    case 4 -> "divw";
                    case 5 -> "divuw";
                    case 6 -> "remw";
                    default -> "remuw";
                };
                code.invokestatic(CD_OPS, method, LONG_LONG_TO_LONG);
                return;
            }
            read(rs1(inst));
            code.l2i();
            read(rs2(inst));
            code.l2i();
            if (funct7 == 0x01) {
                code.imul();
            } else {
                switch (funct3) {
                    case 0 -> {
                        if (funct7 == 0x20) {
                            code.isub();
                        } else {
                            code.iadd();
                        }
                    }
                    case 1 -> code.ishl();                     // masks to 5 bits, as sllw does
                    default -> {
                        if (funct7 == 0x20) {
                            code.ishr();
                        } else {
                            code.iushr();
                        }
                    }
                }
            }
            code.i2l();
        }

        // ------------------------------------------------------------ the block's end

        private void controlTransfer(int inst, long pc, long next, int n) {
            int rd = rd(inst);
            switch (opcode(inst)) {
                case 0x6f -> {                                                      // jal
                    constant(rd, next);
                    finish(n);
                    exitTo(pc + immJ(inst));
                }
                case 0x67 -> {                                                      // jalr
                    address(inst, immI(inst));
                    code.loadConstant(~1L).land().lstore(TEMP);
                    constant(rd, next);
                    finish(n);
                    code.aload(HART).lload(TEMP).putfield(CD_HART, "pc", CD_long);
                    chainOrReturn(null);
                }
                default -> branch(inst, pc, next, n);
            }
        }

        /** The block's last instruction, a branch: both ways leave the block. */
        private void branch(int inst, long pc, long next, int n) {
            finish(n);
            Label taken = code.newLabel();
            compareAndBranch(inst, taken);
            exitTo(next);
            code.labelBinding(taken);
            exitTo(pc + immB(inst));
        }

        /**
         * A branch in the middle of the block (instruction i): the block goes on if it is not
         * taken; taken, it leaves by a side exit emitted after the block's code.
         */
        private void sideExit(int i, int inst, long pc) {
            Label taken = code.newLabel();
            compareAndBranch(inst, taken);
            sideExits.add(new SideExit(taken, dirty.clone(), i + 1, pc + immB(inst), member));
        }

        /** Jumps to taken if the branch inst is taken. */
        private void compareAndBranch(int inst, Label taken) {
            int funct3 = funct3(inst);
            read(rs1(inst));
            read(rs2(inst));
            if (funct3 >= 6) {
                code.invokestatic(CD_Long, "compareUnsigned", LONG_LONG_TO_INT);
            } else {
                code.lcmp();
            }
            switch (funct3) {
                case 0 -> code.ifeq(taken);
                case 1 -> code.ifne(taken);
                case 4, 6 -> code.iflt(taken);
                default -> code.ifge(taken);
            }
        }

        /**
         * Leaves the block being emitted for target, its state complete in the hart: by a
         * jump if target starts a block of the region (back to an earlier one or itself only
         * while the loop budget lasts and no store hit translated code, whose bytes may have
         * changed: the dispatcher then decides what runs next), else by a new exit.
         */
        private void exitTo(long target) {
            int to = memberAt(target);
            if (to > member) {
                code.goto_(starts[to]);
                return;
            }
            if (to >= 0) {
                Label leave = code.newLabel();
                int cost = instructionsBefore[member] + block.length() - instructionsBefore[to];
                code.iinc(ITERATIONS, -cost).iload(ITERATIONS).ifle(leave);
                code.aload(MMU).getfield(CD_MMU, "codeWrites", CD_int).iload(CODE_WRITES).if_icmpne(leave);
                code.goto_(starts[to]);
                code.labelBinding(leave);
            }
            setPc(target);
            chainOrReturn(target);
        }

        /** The index of the region's block that starts at pc, or -1. */
        private int memberAt(long pc) {
            for (int k = 0; k < region.size(); k++) {
                if (region.get(k).pc == pc) {
                    return k;
                }
            }
            return -1;
        }
    }
}
