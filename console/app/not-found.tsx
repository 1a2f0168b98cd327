import Link from "next/link";

export default function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>There is no such page, or it belongs to a project you are not a member of.</p>
      <p><Link href="/">Your projects</Link></p>
    </>
  );
}
