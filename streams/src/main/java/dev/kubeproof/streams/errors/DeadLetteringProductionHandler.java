package dev.kubeproof.streams.errors;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * An output Kafka refuses for good (too large, invalid) or that cannot be serialized goes to the dead-letter
 * topic with the reason; transient failures (retriable Kafka errors) are retried, and registry failures fail
 * the task (the schemas are the application's own, so the record is not at fault), so that nothing is dead-lettered only because a server was briefly down. An evidence record that
 * ends here leaves a gap in its key's hash chain, which {@code EvidenceChain.verify} reports.
 */
public final class DeadLetteringProductionHandler extends DeadLetteringHandler implements ProductionExceptionHandler {
    public static final String SOURCE = "streams.produce";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringProductionHandler.class);


    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                                     Exception exception) {
        if (HandlerSupport.isTransient(exception)) {
            return ProductionExceptionHandlerResponse.RETRY;
        }
        return deadLetter(context, "PRODUCTION", "cannot write to " + record.topic(), record.key(), record.value(),
                exception);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ProductionExceptionHandlerResponse handleSerializationException(ErrorHandlerContext context,
                                                                           ProducerRecord record, Exception exception,
                                                                           SerializationExceptionOrigin origin) {
        if (HandlerSupport.isTransient(exception) || HandlerSupport.registryFailure(exception) != null) {
            LOG.error("cannot serialize for {} because of the schema registry (not the record); failing so that the "
                    + "input is processed again after restart", record.topic(), exception);
            return ProductionExceptionHandlerResponse.FAIL;
        }
        return deadLetter(context, "SERIALIZATION", "cannot serialize the " + origin.name().toLowerCase()
                        + " of a record for " + record.topic(), text(record.key()), text(record.value()), exception);
    }

    private ProductionExceptionHandlerResponse deadLetter(ErrorHandlerContext context, String errorType, String what,
                                                          byte[] key, byte[] value, Exception exception) {
        try {
            deadLetter(SOURCE, errorType, HandlerSupport.reason(what, exception),
                    context.topic(), context.partition(), context.offset(), key, value);
            LOG.warn("dead-lettered an output ({}): {}", what, exception.getMessage());
            return ProductionExceptionHandlerResponse.CONTINUE;
        } catch (RuntimeException e) {
            LOG.error("cannot dead-letter an output ({}); failing rather than dropping it", what, e);
            return ProductionExceptionHandlerResponse.FAIL;
        }
    }

    private static byte[] text(Object value) {
        return value == null ? null : value.toString().getBytes(StandardCharsets.UTF_8);
    }
}
