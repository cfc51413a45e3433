// The client path of issue 10 with the AWS SDK for JavaScript v3:
//   node kinesis_js.cjs ENDPOINT STREAM HANDLER
// HANDLER is "default" (the SDK's own choice for Kinesis: HTTP/2) or
// "http1" (NodeHttpHandler, HTTP/1.1). Prints one line per step done and
// exits non-zero at the first failure.
const {
  KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, ListShardsCommand,
  PutRecordsCommand, GetShardIteratorCommand, GetRecordsCommand, RegisterStreamConsumerCommand,
  DescribeStreamConsumerCommand, SubscribeToShardCommand, DeleteStreamCommand,
} = require("@aws-sdk/client-kinesis");
const { NodeHttpHandler } = require("@smithy/node-http-handler");

const [endpoint, stream, handler] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const opts = {
    endpoint, region: "us-east-1", maxAttempts: 1,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  if (handler === "http1") opts.requestHandler = new NodeHttpHandler();
  const c = new KinesisClient(opts);
  await c.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
  console.log("create");
  for (let i = 0; ; i++) {
    const d = await c.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    if (d.StreamDescriptionSummary.StreamStatus === "ACTIVE") break;
    if (i > 200) throw new Error("stream never ACTIVE");
    await sleep(20);
  }
  console.log("active");
  const shards = (await c.send(new ListShardsCommand({ StreamName: stream }))).Shards;
  if (shards.length !== 2) throw new Error(`ListShards: ${shards.length} shards`);
  console.log("list-shards");
  const records = [];
  for (let i = 0; i < 20; i++) records.push({ PartitionKey: `k${i}`, Data: Buffer.from(`record-${i}`) });
  const put = await c.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
  if (put.FailedRecordCount !== 0) throw new Error(`PutRecords: ${put.FailedRecordCount} failed`);
  console.log("put-records");
  let got = 0;
  const perShard = {};
  for (const r of put.Records) perShard[r.ShardId] = (perShard[r.ShardId] || 0) + 1;
  for (const sh of shards) {
    const it = await c.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: sh.ShardId, ShardIteratorType: "TRIM_HORIZON" }));
    const out = await c.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    for (const r of out.Records) {
      if (!Buffer.from(r.Data).toString().startsWith("record-")) throw new Error("bad record data");
    }
    got += out.Records.length;
  }
  if (got !== 20) throw new Error(`GetRecords: ${got} records, want 20`);
  console.log("get-records");
  const reg = await c.send(new RegisterStreamConsumerCommand({ StreamARN: put.StreamARN || `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`, ConsumerName: "js" }));
  for (let i = 0; ; i++) {
    const d = await c.send(new DescribeStreamConsumerCommand({ ConsumerARN: reg.Consumer.ConsumerARN }));
    if (d.ConsumerDescription.ConsumerStatus === "ACTIVE") break;
    if (i > 200) throw new Error("consumer never ACTIVE");
    await sleep(20);
  }
  console.log("register-consumer");
  const shard = shards[0].ShardId;
  const sub = await c.send(new SubscribeToShardCommand({
    ConsumerARN: reg.Consumer.ConsumerARN, ShardId: shard, StartingPosition: { Type: "TRIM_HORIZON" },
  }));
  let seen = 0;
  const deadline = Date.now() + 10000;
  for await (const ev of sub.EventStream) {
    if (ev.SubscribeToShardEvent) seen += ev.SubscribeToShardEvent.Records.length;
    if (seen >= perShard[shard] || Date.now() > deadline) break;
  }
  if (seen !== perShard[shard]) throw new Error(`SubscribeToShard: ${seen} records, want ${perShard[shard]}`);
  console.log("subscribe-to-shard");
  await c.send(new DeleteStreamCommand({ StreamName: stream, EnforceConsumerDeletion: true }));
  console.log("delete");
  c.destroy();
}

main().then(() => process.exit(0), (e) => { console.error(String(e && e.stack || e)); process.exit(1); });
