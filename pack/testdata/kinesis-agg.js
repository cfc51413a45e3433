// Runs the AWS-published aws-kinesis-agg package (Node.js) for
// pack/interop_test.go. Usage: node kinesis-agg.js MODULE_DIR agg|deagg
// It reads a JSON array from standard input and writes one to standard
// output, with every data field in base64:
//   agg:   user records [{partitionKey, explicitHashKey?, data}] → the
//          aggregated Kinesis records the package makes of them
//          [{partitionKey, explicitHashKey?, data}]
//   deagg: Kinesis records [{partitionKey, data}] → for each, the user
//          records the package finds in it (checksums verified)
//          [[{partitionKey, explicitPartitionKey?, data}]] or {error}
const path = require('path');
const agg = require(path.join(process.argv[2], 'node_modules', 'aws-kinesis-agg'));
const mode = process.argv[3];

let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const records = JSON.parse(input);
  if (mode === 'deagg') {
    const out = records.map((r) => {
      let result;
      agg.deaggregateSync({ partitionKey: r.partitionKey, data: r.data, sequenceNumber: '1' }, true, (err, users) => {
        result = err ? { error: String(err) } : users.map((u) => ({
          partitionKey: u.partitionKey, explicitPartitionKey: u.explicitPartitionKey, data: u.data,
        }));
      });
      return result;
    });
    process.stdout.write(JSON.stringify(out));
    return;
  }
  const out = [];
  const users = records.map((r) => {
    const u = { partitionKey: r.partitionKey, data: Buffer.from(r.data, 'base64') };
    if (r.explicitHashKey) u.explicitHashKey = r.explicitHashKey;
    return u;
  });
  agg.aggregate(users, (encoded, callback) => {
    out.push({ partitionKey: encoded.partitionKey, explicitHashKey: encoded.explicitHashKey,
      data: Buffer.from(encoded.data).toString('base64') });
    callback();
  }, () => { process.stdout.write(JSON.stringify(out)); }, (err) => {
    process.stderr.write('aggregate: ' + err + '\n');
    process.exit(1);
  });
});
