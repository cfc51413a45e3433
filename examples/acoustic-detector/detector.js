// Example application under test for kbench (docs/application.md): an acoustic event detector on Node.js with
// the AWS SDK for JavaScript v3. It polls every shard of the hydrophone stream, looks in each frame for a
// transient (a short burst at 2.5 kHz, found with the Goertzel algorithm in 5 ms windows, well above the
// frame's background), and POSTs each
// detection as JSON to the URL in KBENCH_DESTINATION_DETECTIONS.
//
// Frames start with kbench's 40-byte binary envelope (the default `envelope: prefix`); the detector skips it and
// copies it, in hex, into the detection's "_kb" field, so kbench can match the detection to its frame.
//
// The Kinesis client's default handler speaks HTTP/2 (h2c to an http:// endpoint, which kbench's simulator
// serves); DETECTOR_HTTP1=1 switches to the SDK's HTTP/1.1 handler (NodeHttpHandler), for endpoints that only
// speak HTTP/1.1 such as kinesis-mock.
'use strict';

const { KinesisClient, ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand } =
  require('@aws-sdk/client-kinesis');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

const stream = process.env.KBENCH_STREAM_SOURCE;
const target = process.env.KBENCH_DESTINATION_DETECTIONS;
const pollMs = Number(process.env.DETECTOR_POLL_MS || 200);
const ratio = Number(process.env.DETECTOR_RATIO || 5); // window amplitude over the frame's median
const freq = Number(process.env.DETECTOR_HZ || 2500); // the transients' frequency
const windowMs = 5;

const client = new KinesisClient({
  requestHandler: process.env.DETECTOR_HTTP1 === '1' ? new NodeHttpHandler() : undefined,
  endpoint: process.env.KBENCH_ENDPOINT || undefined, // current SDKs also read AWS_ENDPOINT_URL_KINESIS
});

let running = true;
process.on('SIGTERM', () => { running = false; });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// detect returns the detection of one record, or null.
function detect(data) {
  let kb;
  let frame = data;
  if (data.length >= 40 && data[0] === 0x4b && data[1] === 0x42 && data[2] === 1) { // kbench's envelope: "KB", version 1
    kb = data.subarray(0, 40).toString('hex');
    frame = data.subarray(40);
  }
  if (frame.length < 32 || frame.toString('latin1', 0, 4) !== 'KBAF') return null;
  const bits = frame[5];
  const channels = frame.readUInt16LE(6);
  const rate = frame.readUInt32LE(8);
  if (bits !== 16) return null; // this example reads 16-bit PCM only
  const hyd = frame.readUInt32LE(12);
  const seq = Number(frame.readBigUInt64LE(16));
  const pcm = frame.subarray(32);
  const samples = Math.floor(pcm.length / (2 * channels));
  const win = Math.max(1, Math.round((rate * windowMs) / 1000));
  // Goertzel power at the transient's frequency on channel 0, per window: the tones are far below it, and
  // broadband noise spreads its power over every frequency.
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / rate);
  const energies = [];
  for (let w = 0; w + win <= samples; w += win) {
    let s1 = 0;
    let s2 = 0;
    for (let i = w; i < w + win; i++) {
      const s0 = pcm.readInt16LE(i * channels * 2) + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    energies.push(s1 * s1 + s2 * s2 - coeff * s1 * s2);
  }
  if (energies.length === 0) return null;
  const sorted = [...energies].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] || 1;
  const peak = sorted[sorted.length - 1];
  const score = Math.sqrt(peak / median);
  if (score < ratio) return null;
  return {
    hydrophone: 'hyd-' + String(hyd).padStart(2, '0'),
    seq,
    offset_ms: energies.indexOf(peak) * windowMs,
    score: Math.round(score * 100) / 100,
    detected_at: new Date().toISOString(),
    _kb: kb,
  };
}

async function post(detections) {
  if (detections.length === 0) return;
  const body = detections.map((d) => JSON.stringify(d)).join('\n') + '\n';
  const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
  if (!res.ok) console.error(`acoustic-detector: POST ${target}: ${res.status}`);
}

async function readShard(shardId) {
  const it = await client.send(new GetShardIteratorCommand({
    StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON',
  }));
  let iterator = it.ShardIterator;
  while (running && iterator) {
    try {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      iterator = out.NextShardIterator;
      const found = [];
      for (const r of out.Records || []) {
        const d = detect(Buffer.from(r.Data));
        if (d) found.push(d);
      }
      await post(found);
    } catch (err) {
      if (!running) break;
      console.error(`acoustic-detector: shard ${shardId}: ${err.name}: ${err.message}`);
    }
    await sleep(pollMs);
  }
}

async function main() {
  if (!stream || !target) {
    console.error('acoustic-detector: KBENCH_STREAM_SOURCE and KBENCH_DESTINATION_DETECTIONS are required');
    process.exit(2);
  }
  const shards = await client.send(new ListShardsCommand({ StreamName: stream }));
  console.log(`acoustic-detector: started, reading ${shards.Shards.length} shard(s) of ${stream}`);
  await Promise.all(shards.Shards.map((s) => readShard(s.ShardId)));
  console.log('acoustic-detector: stopped');
}

main().catch((err) => {
  console.error(`acoustic-detector: ${err.stack || err}`);
  process.exit(1);
});
