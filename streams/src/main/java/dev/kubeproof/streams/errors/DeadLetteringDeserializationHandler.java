package dev.kubeproof.streams.errors;


import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kubeproof.contract.registry.SchemaRegistryException;

/**
 * A record that cannot be read (not Confluent wire format, unknown schema id, corrupt Avro) goes to the
 * dead-letter topic with the reason, and processing continues with the next record. When the registry is
 * unreachable or refuses the request the record is not at fault: the handler fails, so that the record is read
 * again after restart.
 */
public final class DeadLetteringDeserializationHandler extends DeadLetteringHandler implements DeserializationExceptionHandler {
    public static final String SOURCE = "streams.deserialize";
    public static final String ERROR_TYPE = "DESERIALIZATION";
    private static final int NOT_FOUND = 404;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringDeserializationHandler.class);


    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                 Exception exception) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        SchemaRegistryException registry = HandlerSupport.registryFailure(exception);
        if (HandlerSupport.isTransient(exception) || (registry != null && registry.httpStatus() != NOT_FOUND)) {
            // Only an unknown schema id is the record's fault; an unreachable or refusing registry is not.
            LOG.error("cannot read {} because of the schema registry or Kafka (not the record); failing so that it is "
                    + "read again after restart", where, exception);
            return DeserializationHandlerResponse.FAIL;
        }
        try {
            deadLetter(SOURCE, ERROR_TYPE,
                    HandlerSupport.reason("cannot deserialize the record at " + where, exception),
                    record.topic(), record.partition(), record.offset(), record.key(), record.value());
            LOG.debug("dead-lettered unreadable record {}: {}", where, exception.getMessage()); // the publisher logs it
            return DeserializationHandlerResponse.CONTINUE;
        } catch (RuntimeException e) {
            LOG.error("cannot dead-letter unreadable record {}; failing rather than dropping it", where, e);
            return DeserializationHandlerResponse.FAIL;
        }
    }
}
