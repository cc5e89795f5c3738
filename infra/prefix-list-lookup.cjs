// Custom resource: finds the region's AWS-managed DynamoDB prefix list id, which security group
// egress rules need and CloudFormation cannot look up. Inlined into the template (ZipFile), so
// it stays short, uses only the runtime's SDK and always answers CloudFormation.
const { EC2Client, DescribeManagedPrefixListsCommand } = require('@aws-sdk/client-ec2');

exports.handler = async (event, context) => {
  let status = 'SUCCESS';
  let reason = '';
  let id = event.PhysicalResourceId;
  try {
    if (event.RequestType !== 'Delete') {
      const name = event.ResourceProperties.PrefixListName;
      const out = await new EC2Client({}).send(
        new DescribeManagedPrefixListsCommand({ Filters: [{ Name: 'prefix-list-name', Values: [name] }] }),
      );
      id = out.PrefixLists?.[0]?.PrefixListId;
      if (!id) throw new Error(`no managed prefix list named ${name}`);
    }
  } catch (error) {
    status = 'FAILED';
    reason = String(error?.message ?? error);
  }
  const body = JSON.stringify({
    Status: status,
    Reason: reason ? `${reason} (log stream ${context.logStreamName})` : 'found',
    PhysicalResourceId: id || context.logStreamName,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: status === 'SUCCESS' && id ? { PrefixListId: id } : {},
  });
  const url = new URL(event.ResponseURL);
  const transport = require(url.protocol === 'http:' ? 'node:http' : 'node:https');
  await new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  return { status, id };
};
