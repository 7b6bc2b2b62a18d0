package dev.kubeproof.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The targets next to what was measured: reported, never asserted. */
final class Targets {
    static final int TARGET_PODS = 100_000;
    /** Below this size, a linear extrapolation to {@link #TARGET_PODS} is dominated by fixed costs. */
    static final int SMALL_PODS = 4_000;

    private Targets() {
    }

    static List<Map<String, Object>> evaluate(ColdStart.Result cold, SinkAlone.Result sinkAlone, SteadyState.Result steady,
                                              SteadyState.Result light, RawRates.Kafka kafka, RawRates.Bulk bulk,
                                              ReportExport.Result export, int pods) {
        List<Map<String, Object>> targets = new ArrayList<>();
        double extrapolated = cold.evidenceInElasticsearchSeconds() * TARGET_PODS / pods;
        targets.add(target("cold start of 100,000 pods to complete evidence in Elasticsearch", "< 300 s",
                coldStartMeasured(cold.evidenceInElasticsearchSeconds(), pods), extrapolated < 300));
        double pipeline = cold.objectsPerSecond() / kafka.recordsPerSecond();
        targets.add(target("pipeline objects/s vs raw Kafka records/s", ">= 0.50", String.valueOf(BenchCommand.round(pipeline, 4)),
                pipeline >= 0.5));
        // raw _bulk runs alone: the sink is judged alone too; in the cold start it shares the cores (reported beside)
        double sink = sinkAlone.writesPerSecond() / bulk.documentsPerSecond();
        double sinkInColdStart = cold.sinkWritesPerSecond() / bulk.documentsPerSecond();
        targets.add(target("sink writes/s vs raw _bulk documents/s", ">= 0.80", BenchCommand.round(sink, 4)
                + " alone; " + BenchCommand.round(sinkInColdStart, 4) + " in the cold start, sharing the cores with the "
                + "evaluation", sink >= 0.8));
        // judged at the offered load; the light load's figure says how much of it is queueing
        Object p99 = ((Map<?, ?>) steady.toMap().get("changeToViolation")).get("p99Ms");
        Object lightP99 = ((Map<?, ?>) light.toMap().get("changeToViolation")).get("p99Ms");
        targets.add(target("change -> violation p99", "< 1000 ms", p99 + " ms at " + steady.offeredPerSecond()
                        + "/s offered (drained " + Math.round(steady.drainedPerSecond()) + "/s); " + lightP99 + " ms at "
                        + light.offeredPerSecond() + "/s", p99 instanceof Number number && number.doubleValue() < 1000));
        targets.add(target("report export rate (1,000,000 records in 60 s)", ">= "
                        + Math.round(ReportExport.TARGET_RECORDS_PER_SECOND) + " records/s",
                Math.round(export.recordsPerSecond()) + " records/s (" + export.export().records()
                        + " records of this run)", export.recordsPerSecond() >= ReportExport.TARGET_RECORDS_PER_SECOND));
        return targets;
    }

    /** The cold start's figure for 100,000 pods: measured at that size, else scaled linearly, and said so. */
    static String coldStartMeasured(double seconds, int pods) {
        String figure = BenchCommand.round(seconds * TARGET_PODS / pods, 0) + " s (measured " + seconds + " s for " + pods
                + " pods";
        if (pods == TARGET_PODS) {
            return figure + ")";
        }
        return figure + ", scaled linearly" + (pods < SMALL_PODS ? "; a small cluster's fixed costs, such as the "
                + "informers' start and the JIT compiler's warm-up, make this an overestimate)" : ")");
    }

    private static Map<String, Object> target(String what, String goal, String measured, boolean met) {
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("target", what);
        target.put("goal", goal);
        target.put("measured", measured);
        target.put("met", met);
        return target;
    }
}
