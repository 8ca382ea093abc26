package dev.nucleo.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/api/openapi.yaml and the routes the server serves are the same set of operations. */
class OpenApiDocumentTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    @TempDir
    Path dir;

    @Test
    void documentAndServerAgree() throws Exception {
        Path document = Path.of("..", "docs", "api", "openapi.yaml");
        assertTrue(Files.isRegularFile(document), "no " + document.toAbsolutePath());
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(document.toFile());
        assertTrue(root.path("openapi").asText().startsWith("3."), "an OpenAPI 3 document");
        Set<String> documented = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = root.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(key -> {
                if (METHODS.contains(key)) {
                    documented.add(key.toUpperCase() + " " + path.getKey());
                }
            });
        }
        try (TestDaemon daemon = TestDaemon.start(dir)) {
            Set<String> served = daemon.daemon.server().routes().stream()
                    .map(r -> r.method() + " " + r.template()).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(served, documented);
        }
    }
}
