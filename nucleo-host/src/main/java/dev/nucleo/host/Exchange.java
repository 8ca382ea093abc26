package dev.nucleo.host;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** One request being answered: its path variables and query, its JSON body, and the answer. */
public final class Exchange {
    static final int MAX_BODY = 1 << 20;

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Map<String, String> variables;
    private final ObjectMapper json;
    private Fields query;
    private boolean answered;

    Exchange(Request request, Response response, Callback callback, Map<String, String> variables, ObjectMapper json) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.variables = variables;
        this.json = json;
    }

    Request request() {
        return request;
    }

    Response response() {
        return response;
    }

    Callback callback() {
        return callback;
    }

    boolean answered() {
        return answered;
    }

    void markAnswered() {
        answered = true;
    }

    String variable(String name) {
        return variables.get(name);
    }

    /** A query parameter, or null. */
    String query(String name) {
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        return query.getValue(name);
    }

    boolean flag(String name) throws ApiException {
        String value = query(name);
        if (value == null || value.equals("false") || value.equals("0")) {
            return false;
        }
        if (value.isEmpty() || value.equals("true") || value.equals("1")) {
            return true;
        }
        throw ApiException.badRequest("query parameter " + name + " must be true or false, not '" + value + "'");
    }

    /** The body as a {@code type}; malformed JSON, unknown fields and wrong types are a 400 with the reason. */
    <T> T body(Class<T> type) throws ApiException {
        byte[] bytes = readBody();
        if (bytes.length == 0) {
            throw ApiException.badRequest("the request needs a JSON body");
        }
        try {
            T value = json.readValue(bytes, type);
            if (value == null) {
                throw ApiException.badRequest("the body must be a JSON object, not null");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", ", " (known fields: ", ")"));
            throw ApiException.badRequest("unknown field '" + e.getPropertyName() + "'" + known);
        } catch (MismatchedInputException e) {
            throw ApiException.badRequest("wrong JSON for " + path(e) + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the body: " + e.getMessage());
        }
    }

    private static String path(MismatchedInputException e) {
        String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        return path.isEmpty() ? "the body" : "'" + path + "'";
    }

    private byte[] readBody() throws ApiException {
        try (InputStream in = Request.asInputStream(request)) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new ApiException(413, "the body is larger than " + MAX_BODY + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the body: " + e.getMessage());
        }
    }

    /** Answers with {@code value} as JSON. */
    void json(int status, Object value) throws IOException {
        send(status, "application/json", json.writeValueAsBytes(value));
    }

    void noContent() {
        answered = true;
        response.setStatus(204);
        callback.succeeded();
    }

    void send(int status, String contentType, byte[] body) {
        answered = true;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** A blocking stream for long answers (followed logs); the caller closes it, then {@link #finish}. */
    java.io.OutputStream stream(int status, String contentType) {
        answered = true;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        return Content.Sink.asOutputStream(response);
    }

    void finish() {
        callback.succeeded();
    }

    /** The error body every refusal has: {@code {"status": 409, "error": "why"}}. */
    record ErrorBody(int status, String error) {
    }

    static byte[] errorBody(ObjectMapper json, int status, String reason) {
        try {
            return json.writeValueAsBytes(new ErrorBody(status, reason));
        } catch (JsonProcessingException e) {
            return ("{\"status\":" + status + ",\"error\":\"error\"}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
