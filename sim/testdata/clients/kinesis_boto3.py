"""The client path of issue 10 with boto3:
    python3 kinesis_boto3.py ENDPOINT STREAM
Prints one line per step done and exits non-zero at the first failure.
TLS endpoints are verified against AWS_CA_BUNDLE."""
import sys
import time

import boto3
from botocore.config import Config

endpoint, stream = sys.argv[1], sys.argv[2]
c = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test",
                 config=Config(retries={"max_attempts": 1}))


def wait(check, what):
    for _ in range(200):
        if check():
            return
        time.sleep(0.02)
    raise SystemExit(what + " never ACTIVE")


c.create_stream(StreamName=stream, ShardCount=2)
print("create")
wait(lambda: c.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE", "stream")
print("active")
shards = c.list_shards(StreamName=stream)["Shards"]
assert len(shards) == 2, shards
print("list-shards")
put = c.put_records(StreamName=stream, Records=[{"PartitionKey": "k%d" % i, "Data": b"record-%d" % i} for i in range(20)])
assert put["FailedRecordCount"] == 0, put
assert all(len(r["SequenceNumber"]) == 56 for r in put["Records"]), put
print("put-records")
per_shard = {}
for r in put["Records"]:
    per_shard[r["ShardId"]] = per_shard.get(r["ShardId"], 0) + 1
got = 0
for sh in shards:
    it = c.get_shard_iterator(StreamName=stream, ShardId=sh["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    recs = c.get_records(ShardIterator=it)["Records"]
    assert all(r["Data"].startswith(b"record-") for r in recs), recs
    got += len(recs)
assert got == 20, got
print("get-records")
arn = c.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
consumer = c.register_stream_consumer(StreamARN=arn, ConsumerName="py")["Consumer"]["ConsumerARN"]
wait(lambda: c.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE", "consumer")
print("register-consumer")
shard = shards[0]["ShardId"]
sub = c.subscribe_to_shard(ConsumerARN=consumer, ShardId=shard, StartingPosition={"Type": "TRIM_HORIZON"})
seen = 0
deadline = time.time() + 10
for ev in sub["EventStream"]:
    if "SubscribeToShardEvent" in ev:
        seen += len(ev["SubscribeToShardEvent"]["Records"])
    if seen >= per_shard[shard] or time.time() > deadline:
        break
assert seen == per_shard[shard], (seen, per_shard)
print("subscribe-to-shard")
c.delete_stream(StreamName=stream, EnforceConsumerDeletion=True)
print("delete")
