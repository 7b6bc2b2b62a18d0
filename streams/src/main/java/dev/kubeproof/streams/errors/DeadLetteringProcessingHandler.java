package dev.kubeproof.streams.errors;


import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * A record whose processing throws (a bug, or input no one foresaw) goes to the dead-letter topic with the
 * processor's name and the exception, as the raw bytes it was read as; the next record is processed. Expected
 * problems are handled in the processors themselves (ERROR evidence, or dead letters inside the topology).
 */
public final class DeadLetteringProcessingHandler extends DeadLetteringHandler implements ProcessingExceptionHandler {
    public static final String SOURCE = "streams.process";
    public static final String ERROR_TYPE = "PROCESSING";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringProcessingHandler.class);


    @Override
    public ProcessingHandlerResponse handle(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        String where = context.topic() + "-" + context.partition() + "@" + context.offset() + " in processor "
                + context.processorNodeId();
        if (HandlerSupport.isTransient(exception) || HandlerSupport.registryFailure(exception) != null) {
            // Kafka or the registry failed, not the record: stop; exactly-once rolls the partial work back.
            LOG.error("processing {} failed on Kafka or the schema registry; failing so that it is processed again",
                    where, exception);
            return ProcessingHandlerResponse.FAIL;
        }
        try {
            deadLetter(SOURCE, ERROR_TYPE,
                    HandlerSupport.reason("processing failed at " + where, exception), context.topic(),
                    context.partition(), context.offset(), context.sourceRawKey(), context.sourceRawValue());
            LOG.warn("dead-lettered a record whose processing failed at {}", where, exception);
            return ProcessingHandlerResponse.CONTINUE;
        } catch (RuntimeException e) {
            LOG.error("cannot dead-letter a record whose processing failed at {}; failing", where, e);
            return ProcessingHandlerResponse.FAIL;
        }
    }
}
