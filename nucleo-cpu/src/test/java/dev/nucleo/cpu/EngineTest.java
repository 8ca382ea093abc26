package dev.nucleo.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EngineTest {

    @Test
    void namesParseInAnyCaseAndNothingMeansTheInterpreter() {
        assertEquals(Engine.TRANSLATOR, Engine.parse(" Translator "));
        assertEquals(Engine.INTERPRETER, Engine.parse("interpreter"));
        assertEquals(Engine.DEFAULT, Engine.parse(null));
        assertEquals(Engine.DEFAULT, Engine.parse(""));
    }

    @Test
    void anUnknownNameIsRefusedWithTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engine.parse("jit"));
        assertTrue(e.getMessage().contains("interpreter or translator"), e.getMessage());
    }
}
