package org.vfiobroker.web;

import java.io.IOException;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.AbstractHttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;

/** Writes a {@link PreSerializedJson} body's bytes as {@code application/json}; never reads. */
class PreSerializedJsonConverter extends AbstractHttpMessageConverter<PreSerializedJson> {

    PreSerializedJsonConverter() {
        super(MediaType.APPLICATION_JSON);
    }

    @Override
    protected boolean supports(Class<?> clazz) {
        return PreSerializedJson.class.isAssignableFrom(clazz);
    }

    @Override
    protected boolean canRead(MediaType mediaType) {
        return false;
    }

    @Override
    protected PreSerializedJson readInternal(Class<? extends PreSerializedJson> clazz, HttpInputMessage input) {
        throw new HttpMessageNotReadableException("pre-serialized JSON is written only", input);
    }

    @Override
    protected Long getContentLength(PreSerializedJson body, MediaType contentType) {
        return (long) body.json().length;
    }

    @Override
    protected void writeInternal(PreSerializedJson body, HttpOutputMessage output) throws IOException {
        output.getBody().write(body.json());
    }
}
